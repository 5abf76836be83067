/**
 * `wayfinder run <job> ...`: specialise a real Linux VM for an application. Asks the searcher for
 * configurations, boots each in QEMU (r repeats), records every evaluation in a study store before the
 * next starts, and ends with the best configuration and its gain over the default.
 * A job with `target.kind: unikraft` builds and boots a Unikraft unikernel from the user's checkout
 * instead (harness/unikraft, through evaluatorForJob), one evaluation at a time into a SQLite store.
 * `wayfinder run --resume <store>` continues a stopped or killed run.
 */
import { accessSync, constants, mkdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { WayfinderError, quote } from "../../../lib/errors";
import { createSearcher, searcherNames } from "../../../lib/search";
import type { Config, Searcher } from "../../../lib/search/searcher";
import { loadJob, parseJob, type Job } from "../../jobs/job";
import { evaluatorForJob } from "../../run/evaluator-for-job";
import { assertUnikraftCheckout, renderArgs, renderRootfsFiles, resolveUnikraftPaths, unboundParameters, unikraftCommandLine, type UnikraftTarget } from "../../unikraft/index";
import type { RenderedConfig } from "../../run/best-report";
import { findQemu } from "../../vm/preflight";
import { bestReport } from "../../run/best-report";
import { formatBudget, parseBudget } from "../../run/budget";
import { ProgressReporter } from "../../run/progress";
import { renderRunnableJobForReview } from "../../run/render-for-review";
import { runStudy, type RunSummary } from "../../run/run-study";
import { jobRecord, runnableJob } from "../../run/runnable-job";
import { parallelEvaluator, type ParallelEvaluator } from "../../run/parallel-evaluator";
import { parallelNoiseWarnings, parallelStartNotes } from "../../run/parallel-noise-check";
import { LIST_SEARCHER, ListSearcher, parseConfigList } from "../../run/list-searcher";
import { preflight } from "../../vm/preflight";
import { SqliteStudyStore } from "../../store/sqlite-study-store";
import type { Budget, StudySpec } from "../../store/study-store";
import { isPostgresUrl } from "../../queue/connection";
import { runOnPostgres, type PostgresRunOptions } from "../../queue/run-on-postgres";
import { PostgresStudySnapshot } from "../../queue/postgres-study-snapshot";

export const summary = "run <job> | run --resume <store>: specialise a VM for an application (search, boot, benchmark, record)";

const usage = `usage: wayfinder run <job.yaml> [--searcher random|grid|bayes|deeptune] [--budget N|DURATION]
                     [--repeats R] [--store FILE] [--seed S] [--set NAME=VALUE ...] [--no-deterministic]
                     [--parallel K]
       wayfinder run <job.yaml> --configs FILE [--repeats R] [--store FILE]
       wayfinder run --resume <store> [--budget N|DURATION] [--parallel K]
       wayfinder run <job.yaml> --store postgres://... [--study NAME] [--parallel K] [--lease S] [...]
       wayfinder run --resume postgres://... --study NAME [--budget N|DURATION]

Evaluation 0 is always the job's default configuration, so the gain over the default is known. Every
evaluation is committed to the store (SQLite, one file per study) before the next starts; a run that is
interrupted (Ctrl-C) or killed continues with --resume, without losing or repeating an evaluation.

A job with target.kind: unikraft builds each configuration's unikernel from a Unikraft checkout
($WAYFINDER_UNIKRAFT_DIR, or target.checkout.root) and boots it in QEMU; it runs with --parallel 1
and a SQLite store only (for now).

options:
  --searcher NAME      search algorithm (default: the job's search.searcher)
  --budget N|DUR       number of evaluations (e.g. 20) or running time (e.g. 90s, 30m, 1h30m);
                       default: the job's budget. With --resume: replaces the stored budget.
  --repeats R          boot and measure each configuration R times; the objective is the mean and its
                       coefficient of variation is recorded (default 1)
  --store FILE         study file to create (default studies/<job>-<searcher>-s<seed>-<time>.sqlite)
  --seed S             searcher seed (default: the job's search.seed)
  --set NAME=VALUE     searcher setting (repeatable), e.g. --set initial=5 for bayes
  --configs FILE       instead of searching, evaluate the default and then these configurations (a JSON
                       object or list, e.g. from wayfinder best --config-out): reproduces a result
  --no-deterministic   measure in real time instead of the job's -icount setting (noisier under TCG)
  --cache DIR          image cache (default .cache/wayfinder in the repository)
  --parallel K         K evaluations at once on this host (default 1): K VMs, each in a slot process
                       pinned with taskset to its own CPU (one per physical core first, spread over NUMA
                       nodes and caches); the isolation each slot got is printed and recorded in every
                       evaluation's provenance. The searcher is asked for a batch, so K distinct
                       configurations are in flight; each result is recorded as it finishes. Warns when
                       K exceeds the physical cores, and when repeat noise under parallel load or a mix
                       of sequential and parallel real-time measurements makes results incomparable.

many hosts (PostgreSQL store; evaluations run on "wayfinder worker --store <url>" processes):
  --store postgres://  coordinate the study through PostgreSQL: this process asks the searcher and
                       enqueues; nothing boots here
  --study NAME         the study's name in the store (default <job>-<searcher>-s<seed>)
  --parallel K         (PostgreSQL) evaluations in flight at once (default: the live workers' slots)
  --lease S            seconds without a worker heartbeat before its evaluation is re-queued (default 120)`;

/**
 * What `run` needs from a job besides its space, by target kind: the objective, a host check that runs
 * before a store is created (so a broken setup is one clear error, not a store of harness failures), how
 * a configuration is shown for review, and whether measurements are deterministic (-icount).
 */
interface RunTarget {
  job: Job;
  objective: string;
  direction: Job["direction"];
  preflight(): void;
  review(config: Config): RenderedConfig;
  deterministic: boolean;
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function runTarget(job: Job): RunTarget {
  if (job.targetKind === "unikraft") {
    // Validates the target section (errors at the job file's line and column); nothing runs until evaluate().
    const je = evaluatorForJob(job);
    if (je.kind !== "unikraft") throw new Error("unreachable: a unikraft job gave a linux evaluator");
    const t = je.target;
    return {
      job,
      objective: job.objectives[0]!.metric,
      direction: job.direction,
      // The checks the evaluator would make on its first call that need no build: bound parameters, the
      // checkout ($WAYFINDER_UNIKRAFT_DIR or target.checkout.root), QEMU and the benchmark tool.
      preflight: () => {
        const unbound = unboundParameters(t, job.parameters);
        if (unbound.length) {
          throw new WayfinderError(`${job.source.file}: parameter(s) ${unbound.join(", ")} reach nothing: they are not Kconfig values and no rootfs template, appArgs or benchmark argv names them as {{NAME}}`);
        }
        assertUnikraftCheckout(resolveUnikraftPaths(t.checkout, process.env));
        findQemu(t.vm.qemu);
        if (t.benchmark.tool !== "console" && !onPath(t.benchmark.tool)) {
          throw new WayfinderError(`the benchmark tool ${t.benchmark.tool} (target.benchmark.tool) is not on PATH; install it (apt-get install ${t.benchmark.tool === "wrk" ? "wrk" : "redis-tools"})`);
        }
      },
      review: (c) => unikraftReview(t, c),
      deterministic: false,
    };
  }
  const rj = runnableJob(job);
  return {
    job,
    objective: rj.objective,
    direction: rj.direction,
    preflight: () => void preflight(rj.target),
    review: renderRunnableJobForReview(rj),
    deterministic: rj.target.vm.deterministic,
  };
}

/**
 * A Unikraft configuration for review: no sysctls; the unikernel's command line; the configuration itself
 * (its compile-time values become Kconfig options, so the JSON is what to put in the app's .config) and the
 * initrd files rendered from it, exactly as the evaluator renders them.
 */
function unikraftReview(t: UnikraftTarget, c: Config): RenderedConfig {
  const problem = (e: unknown) => {
    if (!(e instanceof WayfinderError)) throw e;
    return `(cannot be rendered: ${e.message})`;
  };
  let cmdline: string;
  try {
    cmdline = unikraftCommandLine(t.net?.args ?? [], renderArgs(t.appArgs, c, {}, "appArgs"));
  } catch (e) {
    cmdline = problem(e);
  }
  const files = [{ path: "configuration.json", content: JSON.stringify(c, Object.keys(c).sort(), 2) + "\n" }];
  if (t.rootfs) {
    const r = renderRootfsFiles(t.rootfs.files, c as Record<string, string | number>);
    if (r.ok) files.push(...r.files.map((f) => ({ path: `initrd ${f.path}`, content: f.content })));
    else files.push({ path: "initrd files", content: `(cannot be rendered: ${r.problems.join("; ")})\n` });
  }
  return { runtime: [], cmdline, files };
}

/** Unikraft jobs run through the in-process evaluator only, for now. */
function refuseUnikraft(job: Job, what: string): void {
  if (job.targetKind === "unikraft") {
    throw new WayfinderError(`${what} is not supported for a Unikraft job (target.kind: unikraft, ${job.source.file}) yet: run it on this host with --parallel 1 and a SQLite store`);
  }
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
}

function parseSettings(items: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new WayfinderError(`--set ${quote(item)}: expected NAME=VALUE, e.g. --set initial=5`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function parsePositiveInt(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new WayfinderError(`${flag} ${quote(text)}: expected a positive integer`);
  return Number(text);
}

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        resume: { type: "string" },
        searcher: { type: "string" },
        budget: { type: "string" },
        repeats: { type: "string" },
        store: { type: "string" },
        seed: { type: "string" },
        set: { type: "string", multiple: true },
        configs: { type: "string" },
        "no-deterministic": { type: "boolean" },
        cache: { type: "string" },
        study: { type: "string" },
        parallel: { type: "string" },
        lease: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new WayfinderError(`${(err as Error).message}; see wayfinder run --help`);
  }
  const { values: o, positionals } = args;
  if (o.help) {
    console.log(usage);
    return 0;
  }
  const deterministic = o["no-deterministic"] ? false : undefined;

  const onPostgres = isPostgresUrl(o.resume ?? o.store ?? "");
  if (!onPostgres) {
    for (const flag of ["study", "lease"] as const) {
      if (o[flag] !== undefined) throw new WayfinderError(`--${flag} applies to a PostgreSQL store (--store postgres://...) only`);
    }
  }
  const postgres = (spec: StudySpec | undefined, budget?: Budget) =>
    runPostgresStudy({
      url: (o.resume ?? o.store)!,
      study: o.study,
      spec,
      budget,
      deterministic,
      parallel: o.parallel !== undefined ? parsePositiveInt("--parallel", o.parallel) : undefined,
      leaseSeconds: o.lease !== undefined ? parsePositiveInt("--lease", o.lease) : undefined,
    });

  let store: SqliteStudyStore;
  let rt: RunTarget;
  if (o.resume !== undefined && onPostgres) {
    if (positionals.length > 0) throw new WayfinderError(`--resume takes the store only; the job is read from it (got ${quote(positionals[0])})`);
    return postgres(undefined, o.budget !== undefined ? parseBudget(o.budget) : undefined);
  } else if (o.resume !== undefined) {
    if (positionals.length > 0) throw new WayfinderError(`--resume takes the store only; the job is read from it (got ${quote(positionals[0])})`);
    for (const flag of ["searcher", "repeats", "seed", "store", "set", "configs"] as const) {
      if (o[flag] !== undefined) throw new WayfinderError(`--${flag} cannot change on --resume: a study keeps its searcher, seed and repeats`);
    }
    store = SqliteStudyStore.open(o.resume);
    const info = store.info();
    // The job is re-read from the verbatim text stored with the study, not from a file that may have changed.
    rt = runTarget(parseJob(info.jobText, info.jobPath));
    if (o.parallel !== undefined && parsePositiveInt("--parallel", o.parallel) > 1) refuseUnikraft(rt.job, `--parallel ${o.parallel}`);
    const newBudget = o.budget !== undefined ? parseBudget(o.budget) : undefined;
    rt.preflight();
    if (newBudget) store.setBudget(newBudget);
  } else {
    if (positionals.length !== 1) {
      console.error(usage);
      throw new WayfinderError(`run takes one job file, got ${positionals.length}`);
    }
    const jobFile = positionals[0];
    const job = loadJob(jobFile);
    if (onPostgres) refuseUnikraft(job, "--store postgres://");
    if (o.parallel !== undefined && parsePositiveInt("--parallel", o.parallel) > 1) refuseUnikraft(job, `--parallel ${o.parallel}`);
    rt = runTarget(job);
    let configs: Config[] | undefined;
    if (o.configs !== undefined) {
      if (o.searcher !== undefined) throw new WayfinderError("--configs replaces the searcher: give one of --configs and --searcher");
      let text: string;
      try {
        text = readFileSync(o.configs, "utf8");
      } catch (err) {
        throw new WayfinderError(`cannot read --configs file ${quote(o.configs)}: ${(err as Error).message}`);
      }
      configs = parseConfigList(text, o.configs, job.space);
    }
    const searcher = configs ? LIST_SEARCHER : (o.searcher ?? job.search.searcher);
    if (!configs && !searcherNames().includes(searcher)) {
      throw new WayfinderError(`unknown searcher ${quote(searcher)}; available: ${searcherNames().join(", ")}`);
    }
    const seed = o.seed !== undefined ? Number(o.seed) : job.search.seed;
    if (!Number.isSafeInteger(seed)) throw new WayfinderError(`--seed ${quote(o.seed)}: expected an integer`);
    let budget: Budget;
    if (o.budget !== undefined) budget = parseBudget(o.budget);
    else if (configs) budget = { iterations: configs.length + 1 };
    else if (job.budget.iterations !== undefined) budget = { iterations: job.budget.iterations };
    else if (job.budget.seconds !== undefined) budget = { seconds: job.budget.seconds };
    else throw new WayfinderError(`${jobFile}: the job has no budget; give --budget N or --budget 30m`);
    const repeats = o.repeats !== undefined ? parsePositiveInt("--repeats", o.repeats) : 1;
    const spec: StudySpec = {
      name: job.name,
      jobText: job.source.text,
      jobPath: jobFile,
      job: { ...(jobRecord(job) as object), searcherSettings: parseSettings(o.set ?? []), ...(configs ? { configs } : {}) },
      searcher,
      seed,
      repeats,
      budget,
      objective: rt.objective,
      direction: rt.direction,
      defaultConfig: job.space.defaultConfig(),
    };
    if (onPostgres) return postgres(spec);
    const file = o.store ?? join("studies", `${job.name.replace(/[^A-Za-z0-9_.-]+/g, "_")}-${searcher}-s${seed}-${timestamp()}.sqlite`);
    rt.preflight();
    mkdirSync(dirname(file), { recursive: true });
    store = SqliteStudyStore.create(file, spec);
  }

  const info = store.info();
  const stored = info.job as { searcherSettings?: Record<string, unknown>; configs?: Config[] };
  const searcher: Searcher = info.searcher === LIST_SEARCHER
    ? new ListSearcher(info.direction, stored.configs ?? [])
    : await createSearcher(info.searcher, { space: rt.job.space, direction: info.direction, seed: info.seed, settings: stored.searcherSettings ?? rt.job.search.settings });
  const parallel = o.parallel !== undefined ? parsePositiveInt("--parallel", o.parallel) : 1;
  const reporter = new ProgressReporter(process.stdout, info.direction);
  const done = store.evaluations().filter((e) => e.state === "done").length;
  reporter.note(
    `${o.resume !== undefined ? "resuming" : "study"} ${store.location}: job ${info.name}, searcher ${info.searcher} (seed ${info.seed}), ` +
      `budget ${formatBudget(info.budget)}, ${info.repeats} repeat(s)${done ? `, ${done} evaluation(s) already recorded` : ""}`,
  );

  const ac = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      reporter.note(`${sig}: stopping the running evaluation(s) (their VMs are killed); continue with: wayfinder run --resume ${store.location}`);
      ac.abort();
    } else {
      reporter.note(`${sig} again: exiting now`);
      process.exit(130);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);

  const notes = new Set<string>();
  const onNote = (n: string, slot: number) => {
    // KVM/TCG and similar notes repeat on every boot: show each once; image builds every time.
    if (notes.has(n) && !/build/i.test(n)) return;
    notes.add(n);
    reporter.note(`note: ${parallel > 1 && slot >= 0 ? `[slot ${slot}] ` : ""}${n}`);
  };
  let result: RunSummary;
  let evaluator: ParallelEvaluator | undefined;
  try {
    evaluator = await parallelEvaluator({
      parallel, jobText: info.jobText, jobPath: info.jobPath, deterministic, ...(o.cache ? { cacheDir: o.cache } : {}), onNote,
    });
    for (const line of evaluator.isolation) reporter.note(`isolation: ${line}`);
    for (const w of evaluator.warnings) reporter.note(`warning: ${w}`);
    for (const w of parallelStartNotes({ parallel, repeats: info.repeats, deterministic: deterministic ?? rt.deterministic })) reporter.note(`warning: ${w}`);
    const ev = evaluator;
    result = await runStudy({
      store,
      searcher,
      parallel,
      evaluate: (req, slot) => ev.evaluate(req, slot),
      signal: ac.signal,
      host: hostname(),
      onStart: ({ seq, rerun, isDefault, slot }) => {
        const what = isDefault ? "default configuration" : rerun ? "re-run of an interrupted evaluation" : "";
        const where = parallel > 1 ? `slot ${slot}, CPU ${ev.plan[slot].cpu}` : "";
        reporter.started(seq, [what, where].filter(Boolean).join("; "));
      },
      onProgress: (p) => reporter.progress(p),
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
    await evaluator?.close();
    searcher.dispose?.();
    reporter.finish();
  }

  const n = result.evaluations.filter((e) => e.state === "done").length;
  const failed = result.evaluations.filter((e) => e.state === "done" && !e.outcome!.ok).length;
  const why: Record<string, string> = {
    budget: "budget spent",
    exhausted: "the search space is exhausted",
    interrupted: `interrupted; continue with: wayfinder run --resume ${store.location}`,
    "harness-broken": "stopped: the harness failed several times in a row (see the last evaluation's evidence)",
    error: "stopped by an error",
  };
  console.log(`\n${why[result.reason]}. ${n} evaluation(s) recorded in ${store.location}, ${failed} failed.`);
  for (const w of parallelNoiseWarnings(result.evaluations)) console.log(`warning: ${w}`);
  if (result.reason === "harness-broken") {
    const last = result.evaluations.filter((e) => e.state === "done").at(-1);
    if (last?.outcome && !last.outcome.ok) console.log(`last failure (${last.outcome.phase}): ${last.outcome.evidence ?? ""}`);
  }
  const report = bestReport(info, result.evaluations, (c: Config) => rt.review(c), store.location);
  if (report) console.log("\n" + report.text);
  else console.log("no evaluation succeeded: there is no best configuration yet");
  store.close();
  return result.reason === "interrupted" ? 130 : result.reason === "harness-broken" || result.reason === "error" ? 1 : 0;
}

/**
 * The coordinator of a study on PostgreSQL: asks and enqueues until the budget is spent (workers on any
 * number of hosts evaluate), then prints the best configuration read back from the store.
 */
async function runPostgresStudy(opts: Omit<PostgresRunOptions, "signal">): Promise<number> {
  const ac = new AbortController();
  const onSignal = () => ac.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let study: string;
  try {
    study = (await runOnPostgres({ ...opts, signal: ac.signal })).study;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  if (ac.signal.aborted) {
    console.log(`\ninterrupted; continue with: wayfinder run --resume <url> --study ${study}`);
    return 130;
  }
  const snapshot = await PostgresStudySnapshot.load(opts.url, study);
  const info = snapshot.info();
  const rt = runTarget(parseJob(info.jobText, info.jobPath));
  const report = bestReport(info, snapshot.evaluations(), (c: Config) => rt.review(c), snapshot.location);
  console.log(report ? "\n" + report.text : "no evaluation succeeded: there is no best configuration yet");
  return 0;
}
