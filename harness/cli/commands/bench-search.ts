/**
 * wayfinder bench search: the search scoreboard. Every searcher replays every artifact pool (redis,
 * sqlite, hpc, unikraft-nginx, riscv) over several seeds, the paper's own DeepTune traces (with and
 * without transfer learning) are scored with the same metrics, and the tables go to BENCHMARKS.md
 * (section "search") with the exact command. Replays run as `wayfinder replay --json` child processes,
 * `--jobs` at a time. A separate measurement gives the Bayesian optimiser's ask time at exactly 250
 * observations on each pool (wall and CPU time, with the machine's load average at that moment).
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { loadDataset } from "../../../lib/datasets";
import { writeBenchmarkSection } from "../../../lib/bench/section";
import { WayfinderError, quote } from "../../../lib/errors";
import { Rng } from "../../../lib/random";
import { createSearcher } from "../../../lib/search/registry";
import { replayPool, type ReplayPool } from "../../../lib/search/replay-pool";
import { formatReplayTable, reportFromValues, type SearcherReport } from "../../../lib/search/replay-report";
import { traceValues } from "../../../lib/search/trace-values";

export const summary = "bench search: every searcher on every artifact pool + the paper's DeepTune traces -> BENCHMARKS.md";

const root = join(import.meta.dirname, "../../..");
const shared = join(root, "../shared/datasets/wayfinder-ae");

interface PoolSpec {
  name: string;
  file: string;
  /** Paper traces on this pool: [label, folder relative to plotting/, files regex]. */
  traces: { label: string; dir: string; match: RegExp }[];
  /** From trace unit to pool unit. */
  toPoolUnit?: (v: number) => number;
}

export const POOLS: PoolSpec[] = [
  {
    name: "redis",
    file: "measurements/linux-redis_3_only_OS_single_core.xlsx",
    traces: [
      { label: "deeptune (paper)", dir: "plotting/fig.6b_linux-redis/data", match: /^acquisitions_\d+\.xlsx$/ },
      { label: "deeptune+TL (paper)", dir: "plotting/fig.6b_linux-redis/data/linux-redis_sqlite-tl", match: /^acquisitions_\d+\.xlsx$/ },
    ],
  },
  {
    name: "sqlite",
    file: "measurements/linux-sqlite_13_only_OS_random_single_core.xlsx",
    traces: [
      { label: "deeptune (paper)", dir: "plotting/fig.6c_linux-sqlite/data", match: /^acquisitions_\d+\.xlsx$/ },
      { label: "deeptune+TL (paper)", dir: "plotting/fig.6c_linux-sqlite/data/linux-sqlite-redis-tl", match: /^acquisitions_\d+\.xlsx$/ },
    ],
    toPoolUnit: (v) => 1 / v, // traces hold 1/latency
  },
  {
    name: "hpc",
    file: "measurements/linux-hpc_default_56.xlsx",
    traces: [
      { label: "deeptune (paper)", dir: "plotting/fig.6d_linux-hpc/data", match: /^acquisitions_\d+\.xlsx$/ },
      { label: "deeptune+TL (paper)", dir: "plotting/fig.6d_linux-hpc/data/linux-hpc-redis-tl", match: /^acquisitions_\d+\.xlsx$/ },
    ],
  },
  { name: "unikraft-nginx", file: "measurements/rand_unikraft-nginx_197.xlsx", traces: [] },
  {
    name: "riscv",
    file: "measurements/linux-riscv.xlsx",
    traces: [{ label: "deeptune (paper)", dir: "plotting/fig.10_linux-riscv/data", match: /^acquisitions\.xlsx$/ }],
    toPoolUnit: (v) => 214761472 - v, // the trace holds bytes saved = 214761472 - bytes used
  },
];

const usage = `usage: wayfinder bench search [--seeds 10] [--budget 250] [--searchers random,grid,bayes] [--pools ${POOLS.map((p) => p.name).join(",")}] [--jobs 2] [--no-write]

Writes BENCHMARKS.md section "search" (unless --no-write) and prints the tables.`;

interface RunLine {
  searcher: string;
  seed: number;
  values: (number | null)[];
  askMs: number[];
  seconds: number;
}

function replayChild(args: string[]): Promise<RunLine[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(root, "bin/wayfinder.js"), "replay", ...args, "--runs"], { cwd: root, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new WayfinderError(`replay ${args.join(" ")} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as RunLine));
    });
  });
}

async function pooled<T>(tasks: (() => Promise<T>)[], jobs: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]();
      }
    }),
  );
  return out;
}

/** Ask time of bayes with exactly `n` observations told (a random sample of the pool), wall and CPU ms. */
export async function measureAskTime(pool: ReplayPool, n: number, seed = 1): Promise<{ wallMs: number; cpuMs: number; load: number }> {
  const s = await createSearcher("bayes", { space: pool.space, direction: pool.direction, seed, pool: pool.configs });
  const idx = new Rng(seed).shuffle(pool.configs.map((_, i) => i)).slice(0, n);
  await s.tell(idx.map((i) => ({ config: pool.configs[i], outcome: pool.values[i] === null ? { ok: false as const, phase: "runtime" as const } : { ok: true as const, value: pool.values[i]! } })));
  await s.ask(1); // the first model fit is the thorough one; measure the steady state after it
  await s.tell([]);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await s.ask(1);
  const wallMs = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  return { wallMs, cpuMs: (cu.user + cu.system) / 1000, load: loadavg()[0] };
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage);
    return 0;
  }
  let seeds = 10;
  let budget = 250;
  let jobs = 2;
  let write = true;
  let searchers = ["random", "grid", "bayes"];
  let poolNames = POOLS.map((p) => p.name);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new WayfinderError(`${a} needs a value`);
      return x;
    };
    const int = (x: string) => {
      const n = Number(x);
      if (!Number.isInteger(n) || n <= 0) throw new WayfinderError(`${a} ${quote(x)} is not valid; expected a positive integer`);
      return n;
    };
    if (a === "--seeds") seeds = int(v());
    else if (a === "--budget") budget = int(v());
    else if (a === "--jobs") jobs = int(v());
    else if (a === "--no-write") write = false;
    else if (a === "--searchers" || a === "--searcher") searchers = v().split(",").filter(Boolean);
    else if (a === "--pools") {
      poolNames = v().split(",").filter(Boolean);
      const bad = poolNames.find((p) => !POOLS.some((q) => q.name === p));
      if (bad) throw new WayfinderError(`unknown pool ${quote(bad)}; expected some of ${POOLS.map((p) => p.name).join(", ")}`);
    } else throw new WayfinderError(`unexpected argument ${quote(a)}\n${usage}`);
  }
  const command = `wayfinder bench search ${argv.join(" ")}`.trim();
  const pools = POOLS.filter((p) => poolNames.includes(p.name));
  for (const p of pools) if (!existsSync(join(shared, p.file))) throw new WayfinderError(`missing pool ${join(shared, p.file)} (the artifact datasets are expected in ../shared)`);
  const started = Date.now();

  // replays: child processes, `jobs` at a time; the fast searchers first (their tables appear at once),
  // the slow ones (bayes, deeptune) in chunks of 2 seeds so the lanes stay busy and progress is saved
  const slow = (s: string) => s === "bayes" || s === "deeptune";
  const order = [...searchers].sort((a, b) => Number(slow(a)) - Number(slow(b)));
  const chunks = (s: string) => {
    const size = slow(s) ? 2 : seeds;
    const out: [number, number][] = [];
    for (let first = 1; first <= seeds; first += size) out.push([first, Math.min(size, seeds - first + 1)]);
    return out;
  };
  const tasks = order.flatMap((s) =>
    pools.flatMap((p) =>
      chunks(s).map(([first, count]) => async () => {
        const t0 = Date.now();
        const runs = await replayChild(["--dataset", join(shared, p.file), "--searcher", s, "--budget", String(budget), "--seeds", String(count), "--first-seed", String(first)]);
        console.error(`bench search: ${p.name} ${s} seeds ${first}..${first + count - 1} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
        return { pool: p.name, searcher: s, runs };
      }),
    ),
  );
  const results: { pool: string; searcher: string; runs: RunLine[] }[] = [];
  const poolCache = new Map<string, ReplayPool>();
  const poolOf = (p: PoolSpec) => {
    let pool = poolCache.get(p.name);
    if (!pool) poolCache.set(p.name, (pool = replayPool(loadDataset(join(shared, p.file)), p.name)));
    return pool;
  };
  const traceCache = new Map<string, (number | null)[][]>();
  const traceRuns = (p: PoolSpec, t: PoolSpec["traces"][number]) => {
    const dir = join(shared, t.dir);
    let runs = traceCache.get(dir);
    if (!runs) {
      const files = existsSync(dir) ? readdirSync(dir).filter((f) => t.match.test(f)).sort() : [];
      runs = files.map((f) => traceValues(loadDataset(join(dir, f)), p.toPoolUnit));
      traceCache.set(dir, runs);
    }
    return runs;
  };
  // the section is rewritten after every finished task, so a run cut short still leaves what it measured
  const render = (askLines: string[], done: boolean) => {
    const sections: string[] = [];
    for (const p of pools) {
      const pool = poolOf(p);
      const reports: SearcherReport[] = [];
      const pending: string[] = [];
      for (const s of searchers) {
        const runs = results.filter((r) => r.pool === p.name && r.searcher === s).flatMap((r) => r.runs).sort((a, b) => a.seed - b.seed);
        if (runs.length < seeds) pending.push(`${s} (${runs.length}/${seeds} seeds)`);
        if (runs.length) reports.push(reportFromValues(pool, s, runs.map((r) => r.values), budget, runs.map((r) => r.askMs), runs.map((r) => r.seconds)));
      }
      for (const t of p.traces) {
        const runs = traceRuns(p, t);
        if (runs.length) reports.push(reportFromValues(pool, `${t.label} x${runs.length}`, runs, budget));
      }
      const unit = pool.unit ? ` (${pool.objective}, ${pool.unit})` : ` (${pool.objective})`;
      const note = pending.length ? `\n\nNot finished when this was written: ${pending.join(", ")}.` : "";
      sections.push(`### ${p.name}${unit}${note}\n\n\`\`\`\n${formatReplayTable(reports, 1)}\n\`\`\``);
    }
    return { sections, askLines, done };
  };
  const emit = (parts: { sections: string[]; askLines: string[]; done: boolean }) => {
    const body = sectionBody(command, started, budget, parts);
    if (write) writeBenchmarkSection(join(root, "BENCHMARKS.md"), "search", body);
    return body;
  };
  await pooled(
    tasks.map((task) => async () => {
      results.push(await task());
      emit(render([], false));
    }),
    jobs,
  );
  const askLines: string[] = [];
  if (searchers.includes("bayes") && budget >= 250) {
    for (const p of pools) {
      const pool = poolOf(p);
      const m = await measureAskTime(pool, 250);
      askLines.push(`| ${p.name} | ${pool.space.variedParameters().length} | ${m.wallMs.toFixed(0)} | ${m.cpuMs.toFixed(0)} | ${m.load.toFixed(1)} |`);
    }
  }
  const body = emit(render(askLines, true));
  console.log(body);
  if (write) console.error(`bench search: wrote section "search" of BENCHMARKS.md`);
  return 0;
}

function sectionBody(command: string, started: number, budget: number, parts: { sections: string[]; askLines: string[]; done: boolean }): string {
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  const { sections, askLines } = parts;
  return [
    "## Search (replay on the artifact pools)",
    "",
    `Command: \`${command}\` (${parts.done ? "" : "INCOMPLETE, "}${minutes} min on the 2-core project machine, shared with other jobs).`,
    "",
    "Each searcher runs on each recorded pool used as an oracle (lib/search/replay.ts): it may only propose the",
    "pool's unevaluated rows and is told the recorded value or crash. Values are the mean over seeds ± the",
    "half-width of the 95 % confidence interval; best@N = best value within the first N evaluations; regret =",
    "|pool best − best| / |pool best − pool median|; crash rate = share of crashed evaluations; iters to 99.5 % =",
    "mean evaluations to come within 0.5 % of the pool's best, over the runs that did (count in brackets).",
    '"deeptune (paper)" rows score the paper\'s own DeepTune traces (acquisitions_K.xlsx, first',
    `${budget} rows) with the same code; "+TL" = with transfer learning. SQLite traces are converted from 1/latency`,
    "to latency, the riscv trace from bytes saved to bytes used. Grid visits the pool in a fixed order, so its",
    "seeds agree. Ask times are wall milliseconds during the replays (machine shared, so inflated).",
    "",
    ...sections,
    "",
    ...(askLines.length
      ? [
          "Bayesian optimisation ask time with exactly 250 observations (one ask after a warm-up ask; wall time",
          "depends on the other jobs running, CPU time is the process's own):",
          "",
          "| pool | varied parameters | wall ms | CPU ms | load average |",
          "|---|---|---|---|---|",
          ...askLines,
        ]
      : []),
  ].join("\n");
}
