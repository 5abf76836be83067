/**
 * wayfinder bench deeptune: DeepTune's cost curve (the paper's Fig. 7/8). For each history size n, the
 * searcher is told n real rows of a recorded pool, then the time of one search iteration (tell one
 * outcome + ask: warm-started model update and scoring of `poolSize` fresh random candidates of the
 * live space) is measured `repeats` times; the process's resident memory is read after. The table goes
 * to BENCHMARKS.md (section "deeptune-cost") next to the paper's figures, with the exact command.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { artifactDir, artifactPool as poolPath, ARTIFACT_POOLS, type ArtifactPoolName } from "../../../lib/datasets/artifact-dir";
import { replay, type ReplayRun } from "../../../lib/search/replay";
import { formatReplayTable, replaySearchers, reportFromRuns } from "../../../lib/search/replay-report";
import { writeBenchmarkSection } from "../../../lib/bench/section";
import { artifactPaths, costComparisonFigures, COST_DATA_FILE, exportFigures, figure7, type MeasuredCost } from "../../../lib/plots";
import { artifactPool } from "../../../lib/datasets/artifact-dir";
import { loadDataset } from "../../../lib/datasets/load-dataset";
import { WayfinderError, quote } from "../../../lib/errors";
import { Rng } from "../../../lib/random";
import { replayPool } from "../../../lib/search/replay-pool";
import { DeepTuneSearcher } from "../../../lib/deeptune/deeptune-searcher";
import { DEEPTUNE_DEFAULTS } from "../../../lib/deeptune/deeptune-settings";
import { TRANSFER_SCOPES } from "../../../lib/deeptune/deeptune-model";

export const summary = "bench deeptune: per-iteration time and memory of DeepTune as the history grows -> BENCHMARKS.md";

const usage = `usage: wayfinder bench deeptune [--dataset <pool>] [--sizes 10,100,400,800,2000] [--repeats 5] [--pool-size 2000] [--no-write]
       wayfinder bench deeptune --replay [--pools redis,hpc,sqlite] [--seeds 10] [--budget 250] [--transfer [--transfer-seeds N] | --transfer-only] [--transfer-scopes crash,all] [--no-write]

The first form measures the cost curve (section deeptune-cost); --replay replays DeepTune and random
search on the pools and writes section deeptune-replay-<pool>, pool by pool, with the paper's numbers to beat.
--transfer adds DeepTune runs started from a model saved by a DeepTune run on another pool
(redis <- sqlite, hpc <- redis, sqlite <- redis, as in the paper). --transfer-only runs just those
(the untransferred runs take most of the time and have their own sections) and writes them to section
deeptune-transfer-<pool>. --transfer-scopes gives one transferred row per scope (what the transferred
model brings; default: DeepTune's default scope only), all from the same per-seed source models.`;

/** The paper's anchors (deeptune.md): best at 50/100/250 for its DeepTune and random search. */
const PAPER: Record<string, { deeptune: number[]; random: number[] }> = {
  redis: { deeptune: [64810, 65642, 66002], random: [65335, 65551, 65777] },
  hpc: { deeptune: [1488.2, 1497.0, 1501.2], random: [1488.5, 1494.3, 1503.9] },
};
const TRANSFER_SOURCE: Record<string, string> = { redis: "sqlite", hpc: "redis", sqlite: "redis" };

async function replayBench(argv: string[]): Promise<number> {
  let pools = ["redis", "hpc", "sqlite"];
  let seeds = 10, budget = 250, write = true, transfer = false, transferOnly = false, transferSeeds = 0;
  let scopes: string[] = [DEEPTUNE_DEFAULTS.transferScope];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i] ?? "";
    if (a === "--replay") continue;
    else if (a === "--pools") pools = v().split(",").filter(Boolean);
    else if (a === "--seeds") seeds = Number(v());
    else if (a === "--budget") budget = Number(v());
    else if (a === "--transfer") transfer = true;
    else if (a === "--transfer-only") transfer = transferOnly = true;
    else if (a === "--transfer-seeds") transferSeeds = Number(v());
    else if (a === "--transfer-scopes") scopes = v().split(",").filter(Boolean);
    else if (a === "--no-write") write = false;
    else throw new WayfinderError(`unexpected argument ${quote(a)}\n${usage}`);
  }
  if (!Number.isInteger(seeds) || seeds < 1) throw new WayfinderError(`--seeds must be an integer >= 1`);
  if (!Number.isInteger(budget) || budget < 1) throw new WayfinderError(`--budget must be an integer >= 1`);
  for (const sc of scopes)
    if (!(TRANSFER_SCOPES as readonly string[]).includes(sc)) throw new WayfinderError(`--transfer-scopes: unknown scope ${quote(sc)}; valid: ${TRANSFER_SCOPES.join(", ")}`);
  const cmd = `wayfinder bench deeptune ${argv.join(" ")}`.trim();
  const parts: string[] = [];
  const load = (name: string) => {
    if (name === "hpc") name = "npb"; // the paper's name for the NPB pool
    if (!(name in ARTIFACT_POOLS)) throw new WayfinderError(`--pools: unknown pool ${quote(name)}; known: ${Object.keys(ARTIFACT_POOLS).join(", ")}`);
    const file = poolPath(name as ArtifactPoolName);
    return replayPool(loadDataset(file), file);
  };
  const tmp = mkdtempSync(join(tmpdir(), "wf-deeptune-tl-"));
  try {
    for (const name of pools) {
      const pool = load(name);
      const t0 = performance.now();
      if (transferOnly && !TRANSFER_SOURCE[name]) throw new WayfinderError(`--transfer-only: no source pool for ${quote(name)}; pools with one: ${Object.keys(TRANSFER_SOURCE).join(", ")}`);
      const reports = transferOnly ? [] : await replaySearchers(pool, { searchers: ["deeptune", "random"], budget, seeds });
      if (transfer && TRANSFER_SOURCE[name]) {
        // Each seed trains its own source model (a DeepTune replay of the source pool with that seed,
        // saved when it ends). With one source model for all seeds the transferred runs differ only in
        // dropout and minibatches and follow two or three trajectories, so the CI would understate
        // how much a transferred search varies.
        const src = TRANSFER_SOURCE[name];
        const runs: ReplayRun[][] = scopes.map(() => []);
        for (let seed = 1; seed <= (transferSeeds || seeds); seed++) {
          const modelDir = join(tmp, `${src}-model-${seed}`);
          if (!existsSync(join(modelDir, "model.json"))) await replay(load(src), { searcher: "deeptune", budget, seed, settings: { saveModel: modelDir } });
          for (const [i, transferScope] of scopes.entries())
            runs[i].push(await replay(pool, { searcher: "deeptune", budget, seed, settings: { transferFrom: modelDir, transferScope } }));
        }
        const label = (sc: string) => `deeptune+TL(${src}${scopes.length > 1 || sc !== DEEPTUNE_DEFAULTS.transferScope ? `, ${sc}` : ""})`;
        reports.splice(1, 0, ...scopes.map((sc, i) => reportFromRuns(pool, label(sc), runs[i], budget)));
      }
      const minutes = (performance.now() - t0) / 60000;
      const paper = PAPER[name];
      parts.push(
        `### ${name}`,
        "",
        "```",
        formatReplayTable(reports),
        "```",
        transferOnly
          ? `Target: crash rate <= 0.08 and best@50 at least the untransferred DeepTune's (section deeptune-replay-${name}).`
          : paper ? `Targets (the better of the paper's DeepTune and random at 50/100/250): ${[0, 1, 2].map((i) => Math.max(paper.deeptune[i], paper.random[i])).join(" / ")}; crash rate <= 0.15.` : "Target: mean best below random search's at 100 and 250; crash rate <= 0.15.",
        `(${minutes.toFixed(1)} min wall, load average ${loadavg()[0].toFixed(1)} at the end)`,
        "",
      );
      console.log(parts.slice(-7).join("\n"));
      if (write) {
        // One section per pool, so pools can be benchmarked by separate processes side by side.
        const section = `deeptune-${transferOnly ? "transfer" : "replay"}-${name}`;
        writeBenchmarkSection(join(import.meta.dirname, "../../..", "BENCHMARKS.md"), section,
          [`## ${section}`, "", `Command: \`${cmd}\``, "", ...parts.slice(-7)].join("\n"));
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return 0;
}

/**
 * A full garbage collection before memory is read, so RSS counts what the search keeps alive rather
 * than garbage V8 has not got round to collecting (the usual way to reach gc() without --expose-gc).
 */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

const rssMb = () => process.memoryUsage().rss / 2 ** 20;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--replay")) return replayBench(argv);
  let dataset: string | undefined;
  let sizes = [10, 100, 400, 800, 2000];
  let repeats = 5, poolSize = 2000, write = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i] ?? "";
    if (a === "--help" || a === "-h") {
      console.log(usage);
      return 0;
    } else if (a === "--dataset") dataset = v();
    else if (a === "--sizes") {
      const raw = v();
      sizes = raw.split(",").map(Number);
      if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new WayfinderError(`--sizes ${quote(raw)} is invalid; expected comma-separated positive integers`);
    } else if (a === "--repeats") {
      repeats = Number(v());
      if (!Number.isInteger(repeats) || repeats < 1) throw new WayfinderError(`--repeats must be an integer >= 1`);
    } else if (a === "--pool-size") {
      poolSize = Number(v());
      if (!Number.isInteger(poolSize) || poolSize < 1) throw new WayfinderError(`--pool-size must be an integer >= 1`);
    } else if (a === "--no-write") write = false;
    else throw new WayfinderError(`unexpected argument ${quote(a)}\n${usage}`);
  }
  const file = dataset ?? artifactPool("redis");
  const pool = replayPool(loadDataset(file), file);
  const maxSize = Math.max(...sizes);
  if (maxSize > pool.configs.length)
    throw new WayfinderError(`--sizes up to ${maxSize} needs ${maxSize} rows, but ${file} has ${pool.configs.length}`);
  const order = new Rng(1).shuffle(pool.configs.map((_, i) => i));
  // Past the end of the pool, rows are told again (only the cost matters here, not the search).
  const obs = (j: number) => {
    const i = j % order.length;
    const v = pool.values[order[i]];
    return { config: pool.configs[order[i]], outcome: v === null ? ({ ok: false, phase: "runtime" } as const) : ({ ok: true, value: v } as const) };
  };
  collectGarbage();
  // Runtime, TensorFlow.js and the parsed pool: memory the process holds before any searcher exists.
  const baseMb = rssMb();
  const rows: { n: number; median: number; cpu: number; update: number; score: number; rssMb: number; load: number }[] = [];
  let backend = "";
  for (const n of [...sizes].sort((a, b) => a - b)) {
    // Live space (no pool): candidates are fresh random samples, as in a real search.
    const s = await DeepTuneSearcher.create({ space: pool.space, direction: pool.direction, seed: 1, settings: { poolSize, initial: 0 } });
    backend = s.backend?.name ?? "?";
    await s.tell(Array.from({ length: n }, (_, i) => obs(i)));
    await s.ask(1); // first (longer) training, not part of the steady state
    const times: number[] = [], cpus: number[] = [], updates: number[] = [], scores: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await s.tell([obs(n + r)]);
      await s.ask(1);
      times.push((performance.now() - t0) / 1000);
      const c = process.cpuUsage(c0);
      cpus.push((c.user + c.system) / 1e6);
      updates.push(s.lastTimings.update);
      scores.push(s.lastTimings.score);
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    collectGarbage();
    const row = { n, median: med(times), cpu: med(cpus), update: med(updates), score: med(scores), rssMb: rssMb(), load: loadavg()[0] };
    rows.push(row);
    console.log(`n=${n}: ${row.median.toFixed(3)} s per iteration (CPU ${row.cpu.toFixed(3)} s; update ${row.update.toFixed(3)} s, scoring ${row.score.toFixed(3)} s), RSS ${row.rssMb.toFixed(0)} MB, load ${row.load.toFixed(1)}`);
    s.dispose();
  }
  if (write) {
    const cmd = `wayfinder bench deeptune ${argv.join(" ")}`.trim();
    const body = [
      "## deeptune-cost",
      "",
      `Command: \`${cmd}\` (dataset ${file.replace(/^.*\/shared\//, "../shared/")}, backend ${backend}, ${poolSize} live candidates per ask, median of ${repeats} iterations; 2-core machine shared with other jobs, load average in the last column).`,
      "",
      "| samples | wall s / iteration | CPU s / iteration | update s | scoring s | RSS MB | RSS above base MB | load avg |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...rows.map((r) => `| ${r.n} | ${r.median.toFixed(3)} | ${r.cpu.toFixed(3)} | ${r.update.toFixed(3)} | ${r.score.toFixed(3)} | ${r.rssMb.toFixed(0)} | ${(r.rssMb - baseMb).toFixed(0)} | ${r.load.toFixed(1)} |`),
      "",
      `RSS is the whole process's resident memory after a full garbage collection; the base, ${baseMb.toFixed(0)} MB, is what Node, TensorFlow.js and the parsed pool take before any searcher exists (the paper's numbers count its whole Python process too).`,
      "",
      "CPU s counts this process's user+system time (the wasm backend is single-threaded, so on an idle machine wall ~ CPU; on a loaded one wall is inflated by waiting for a core).",
      "",
      "Paper (Fig. 7/8, its own machine): 0.69 s and 70 MB at 3 samples, 1.59 s and 3.8 GB at 800 samples.",
      "",
      "Plotted beside the paper's DeepTune log: figures/deeptune-cost-time.svg, figures/deeptune-cost-memory.svg (data: figures/data/deeptune-cost.json).",
    ].join("\n");
    const root = join(import.meta.dirname, "../../..");
    writeBenchmarkSection(join(root, "BENCHMARKS.md"), "deeptune-cost", body);
    // The plot beside the paper's curve: the data for `wayfinder figures` and the notebook, then the images.
    const measured: MeasuredCost = { command: cmd, backend, poolSize, rows: rows.map((r) => ({ samples: r.n, wallSeconds: r.median, cpuSeconds: r.cpu, rssMb: r.rssMb })) };
    writeFileSync(join(root, COST_DATA_FILE), JSON.stringify(measured, null, 1) + "\n");
    const files = await exportFigures(costComparisonFigures(measured, figure7(artifactPaths(artifactDir())).deeptune), { outDir: join(root, "figures") });
    for (const f of files) console.log(`wrote ${f.path}`);
  }
  return 0;
}
