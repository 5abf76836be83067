/**
 * wayfinder bench deeptune: DeepTune's cost curve (the paper's Fig. 7/8). For each history size n, the
 * searcher is told n real rows of a recorded pool, then the time of one search iteration (tell one
 * outcome + ask: warm-started model update and scoring of `poolSize` fresh random candidates of the
 * live space) is measured `repeats` times; the process's resident memory is read after. The table goes
 * to BENCHMARKS.md (section "deeptune-cost") next to the paper's figures, with the exact command.
 */
import { loadavg } from "node:os";
import { join } from "node:path";
import { writeBenchmarkSection } from "../../../lib/bench/section";
import { artifactPool } from "../../../lib/datasets/artifact-dir";
import { loadDataset } from "../../../lib/datasets/load-dataset";
import { WayfinderError, quote } from "../../../lib/errors";
import { Rng } from "../../../lib/random";
import { replayPool } from "../../../lib/search/replay-pool";
import { DeepTuneSearcher } from "../../../lib/deeptune/deeptune-searcher";

export const summary = "bench deeptune: per-iteration time and memory of DeepTune as the history grows -> BENCHMARKS.md";

const usage = `usage: wayfinder bench deeptune [--dataset <pool>] [--sizes 10,100,400,800,2000] [--repeats 5] [--pool-size 2000] [--no-write]`;

export async function run(argv: string[]): Promise<number> {
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
  if (maxSize + repeats > pool.configs.length)
    throw new WayfinderError(`--sizes up to ${maxSize} plus ${repeats} repeats needs ${maxSize + repeats} rows, but ${file} has ${pool.configs.length}`);
  const order = new Rng(1).shuffle(pool.configs.map((_, i) => i));
  const obs = (i: number) => {
    const v = pool.values[order[i]];
    return { config: pool.configs[order[i]], outcome: v === null ? ({ ok: false, phase: "runtime" } as const) : ({ ok: true, value: v } as const) };
  };
  const rows: { n: number; median: number; update: number; score: number; rssMb: number; load: number }[] = [];
  let backend = "";
  for (const n of [...sizes].sort((a, b) => a - b)) {
    // Live space (no pool): candidates are fresh random samples, as in a real search.
    const s = await DeepTuneSearcher.create({ space: pool.space, direction: pool.direction, seed: 1, settings: { poolSize, initial: 0 } });
    backend = s.backend?.name ?? "?";
    await s.tell(Array.from({ length: n }, (_, i) => obs(i)));
    await s.ask(1); // first (longer) training, not part of the steady state
    const times: number[] = [], updates: number[] = [], scores: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      await s.tell([obs(n + r)]);
      await s.ask(1);
      times.push((performance.now() - t0) / 1000);
      updates.push(s.lastTimings.update);
      scores.push(s.lastTimings.score);
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const row = { n, median: med(times), update: med(updates), score: med(scores), rssMb: process.memoryUsage().rss / 2 ** 20, load: loadavg()[0] };
    rows.push(row);
    console.log(`n=${n}: ${row.median.toFixed(3)} s per iteration (update ${row.update.toFixed(3)} s, scoring ${row.score.toFixed(3)} s), RSS ${row.rssMb.toFixed(0)} MB, load ${row.load.toFixed(1)}`);
    s.dispose();
  }
  if (write) {
    const cmd = `wayfinder bench deeptune ${argv.join(" ")}`.trim();
    const body = [
      "## deeptune-cost",
      "",
      `Command: \`${cmd}\` (dataset ${file.replace(/^.*\/shared\//, "../shared/")}, backend ${backend}, ${poolSize} live candidates per ask, median of ${repeats} iterations; 2-core machine shared with other jobs, load average in the last column).`,
      "",
      "| samples | s / iteration | update s | scoring s | RSS MB | load avg |",
      "|---:|---:|---:|---:|---:|---:|",
      ...rows.map((r) => `| ${r.n} | ${r.median.toFixed(3)} | ${r.update.toFixed(3)} | ${r.score.toFixed(3)} | ${r.rssMb.toFixed(0)} | ${r.load.toFixed(1)} |`),
      "",
      "Paper (Fig. 7/8, its own machine): 0.69 s and 70 MB at 3 samples, 1.59 s and 3.8 GB at 800 samples.",
    ].join("\n");
    writeBenchmarkSection(join(import.meta.dirname, "../../..", "BENCHMARKS.md"), "deeptune-cost", body);
  }
  return 0;
}
