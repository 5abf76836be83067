/**
 * `wayfinder worker --store postgres://... --slots K`: run evaluations for the studies of a PostgreSQL
 * store on this host, K at a time, until stopped (Ctrl-C hands the running ones back to the queue).
 */
import { parseArgs } from "node:util";
import { WayfinderError, quote } from "../../../lib/errors";
import { checkPostgresUrl, redactUrl } from "../../queue/connection";
import { runPinnedWorkers } from "../../queue/pinned-workers";
import { QueueWorker } from "../../queue/queue-worker";
import { registerTaskEvaluator, taskEvaluatorKinds } from "../../queue/task-evaluator";
import { vmTaskEvaluator } from "../../queue/vm-task-evaluator";

export const summary = "run evaluations from a PostgreSQL study store (many hosts): --store postgres://... --slots K";

const usage = `usage: wayfinder worker --store postgres://user@host:port/db [options]

Claims evaluations enqueued by "wayfinder run --store postgres://..." (on any host) and runs them here.

options:
  --store URL          PostgreSQL store (or the WAYFINDER_STORE environment variable)
  --slots K            evaluations run at once on this host (default 1)
  --study NAME         only run evaluations of this study (default: any study)
  --heartbeat SECONDS  lease renewal period (default 2; tasks are re-queued after their lease, 30 s by default)
  --idle-exit SECONDS  exit after this long with nothing to do (default: run until stopped)
  --max-tasks N        exit after recording N results (with --pin: per slot)
  --cache DIR          this host's VM image cache (default .cache/wayfinder in the repository)
  --pin                one process per slot, each pinned to its own CPU with taskset (cores first, then
                       cache and NUMA domains); prints the isolation each slot got
  --quiet              no progress lines
`;

function positiveNumber(option: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new WayfinderError(`${option} ${quote(text)} must be a positive ${integer ? "integer" : "number"}`);
  }
  return n;
}

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        store: { type: "string" },
        slots: { type: "string" },
        study: { type: "string" },
        heartbeat: { type: "string" },
        "idle-exit": { type: "string" },
        "max-tasks": { type: "string" },
        cache: { type: "string" },
        quiet: { type: "boolean" },
        pin: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new WayfinderError(`${(err as Error).message}\n${usage}`);
  }
  if (args.help) {
    console.log(usage);
    return 0;
  }
  const store = args.store ?? process.env.WAYFINDER_STORE;
  if (!store) throw new WayfinderError(`--store is required (a postgres:// URL)\n${usage}`);
  checkPostgresUrl(store);
  const log = args.quiet ? () => undefined : (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  const slots = positiveNumber("--slots", args.slots, true) ?? 1;
  if (args.pin) {
    const pass = (flag: string, v: string | undefined) => (v === undefined ? [] : [flag, v]);
    const workerArgs = [
      "--store", store, ...pass("--study", args.study), ...pass("--heartbeat", args.heartbeat), ...pass("--idle-exit", args["idle-exit"]),
      ...pass("--max-tasks", args["max-tasks"]), ...pass("--cache", args.cache), ...(args.quiet ? ["--quiet"] : []),
    ];
    const { code } = await runPinnedWorkers({ slots, workerArgs, log });
    return code;
  }
  const notes = new Set<string>();
  registerTaskEvaluator("vm", vmTaskEvaluator({
    ...(args.cache ? { cacheDir: args.cache } : {}),
    onNote: (n) => {
      // KVM/TCG notes repeat on every boot: each is shown once; image builds every time.
      if (notes.has(n) && !/build/i.test(n)) return;
      notes.add(n);
      log(`note: ${n}`);
    },
  }));
  const worker = new QueueWorker({
    url: store,
    slots,
    study: args.study,
    heartbeatMs: (positiveNumber("--heartbeat", args.heartbeat, false) ?? 2) * 1000,
    idleExitMs: args["idle-exit"] === undefined ? undefined : positiveNumber("--idle-exit", args["idle-exit"], false)! * 1000,
    maxTasks: positiveNumber("--max-tasks", args["max-tasks"], true),
    log,
  });
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(130);
    log(`${sig}: stopping; running evaluations go back to the queue (send again to exit at once)`);
    worker.stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  log(`worker ${worker.id} on ${redactUrl(store)}; evaluators: ${taskEvaluatorKinds().join(", ")}`);
  try {
    const s = await worker.run();
    log(`worker ${s.id} finished (${s.reason}): ${s.recorded} recorded, ${s.duplicates} duplicate, ${s.rejected} rejected late, ${s.lost} lost lease`);
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
