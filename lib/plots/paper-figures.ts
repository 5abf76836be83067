/**
 * The paper's evaluation figures rebuilt from the artifact's datasets (../shared/datasets/wayfinder-ae):
 * one function per figure returning the plotly figures and the numbers behind them, so notebooks, the
 * `wayfinder figures` command and the tests share one implementation. Every random choice (shuffled
 * baselines, simulated test times, forests) is seeded.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadDataset, loadFeatureImportance, loadPolicyCurves, loadTimingLog, loadUnicornCost } from "../datasets/index";
import { fail } from "../errors";
import { bestSoFar } from "../analysis/best-so-far";
import { convergenceCurves, type ConvergenceCurves } from "../analysis/convergence-curves";
import { featureImportance, type ImportanceRow } from "../analysis/feature-importance";
import { randomBaseline } from "../analysis/random-baseline";
import { similarityMatrix, type SimilarityResult } from "../analysis/similarity-matrix";
import { loadTraceFolder, withSimulatedTime, type TraceFolder } from "../analysis/trace-folder";
import { traceRun, type TraceRun } from "../analysis/trace-run";
import type { NamedFigure } from "./figure";
import { convergenceFigure, seriesFromCurves, type CurveSeries } from "./convergence-figure";
import { lineFigure, type LineSeries } from "./line-figure";
import { similarityHeatmap } from "./similarity-heatmap";
import { COLORS, PALETTE } from "./style";

/** Where the artifact's files are, relative to its root folder. */
export function artifactPaths(root: string) {
  if (!existsSync(join(root, "measurements")) || !existsSync(join(root, "plotting")))
    fail(`${root} is not the artifact's dataset folder (expected measurements/ and plotting/ in it)`);
  const p = (...parts: string[]) => join(root, "plotting", ...parts);
  const m = (f: string) => join(root, "measurements", f);
  return {
    root,
    pools: {
      redis: m("linux-redis_3_only_OS_single_core.xlsx"),
      sqlite: m("linux-sqlite_13_only_OS_random_single_core.xlsx"),
      hpc: m("linux-hpc_default_56.xlsx"),
      riscv: m("linux-riscv.xlsx"),
      unikraftNginx: m("rand_unikraft-nginx_197.xlsx"),
    },
    importanceCsv: (app: string) => p("fig.5_feature_comparison", "data", `${app}_feat_imp.csv`),
    fig6: {
      nginx: { plain: p("fig.6a_linux-nginx", "data"), tl: p("fig.6a_linux-nginx", "data", "linux-nginx_redis-tl"), tlFrom: "redis", pool: null as string | null },
      redis: { plain: p("fig.6b_linux-redis", "data"), tl: p("fig.6b_linux-redis", "data", "linux-redis_sqlite-tl"), tlFrom: "sqlite", pool: m("linux-redis_3_only_OS_single_core.xlsx") },
      sqlite: { plain: p("fig.6c_linux-sqlite", "data"), tl: p("fig.6c_linux-sqlite", "data", "linux-sqlite-redis-tl"), tlFrom: "redis", pool: m("linux-sqlite_13_only_OS_random_single_core.xlsx") },
      hpc: { plain: p("fig.6d_linux-hpc", "data"), tl: p("fig.6d_linux-hpc", "data", "linux-hpc-redis-tl"), tlFrom: "redis", pool: m("linux-hpc_default_56.xlsx") },
    },
    fig7: { deeptune: p("fig.7_unicorn_comparison", "data", "deeptune_samples-mem-time.csv"), unicorn: p("fig.7_unicorn_comparison", "data", "unikorn_mem-time_vs_it.csv") },
    fig9: p("fig.9_unikraft-nginx-bayesian", "data", "unikraft-nginx_policy.csv"),
    fig10: p("fig.10_linux-riscv", "data", "acquisitions.xlsx"),
    fig11: p("fig.11_linux-vanilla-cozart-nginx-mem-thr", "data"),
  };
}

export type ArtifactPaths = ReturnType<typeof artifactPaths>;
export type Fig6App = keyof ArtifactPaths["fig6"];
export const FIG6_APPS: Fig6App[] = ["nginx", "redis", "sqlite", "hpc"];
const FIG6_LETTER: Record<Fig6App, string> = { nginx: "a", redis: "b", sqlite: "c", hpc: "d" };

// ---------------------------------------------------------------- Fig. 5

export interface Figure5 {
  published: SimilarityResult;
  pools?: SimilarityResult;
  /** Permutation importances of each pool, by label (sorted, decreasing). */
  poolImportances?: Record<string, ImportanceRow[]>;
  figures: NamedFigure[];
}

/** Fig. 5 from the published importance CSVs, and (unless `pools: false`) from forests on the raw pools. */
export function figure5(paths: ArtifactPaths, options: { pools?: boolean; trees?: number; seed?: number } = {}): Figure5 {
  const vec = (app: string): { label: string; importances: ImportanceRow[] } => {
    const t = loadFeatureImportance(paths.importanceCsv(app)).table;
    const f = t.array("feature") as string[];
    const v = t.array("importance") as number[];
    return { label: app, importances: Array.from(f, (feature, i) => ({ feature, importance: v[i] })) };
  };
  const published = similarityMatrix(["redis", "nginx", "hpc", "sqlite"].map(vec));
  const figures: NamedFigure[] = [
    { name: "fig05-similarity-published", figure: similarityHeatmap(published, "Fig. 5 (published importances)", `${published.features.length} common parameters`), width: 620, height: 520 },
  ];
  let pools: SimilarityResult | undefined;
  let poolImportances: Record<string, ImportanceRow[]> | undefined;
  if (options.pools !== false) {
    const apps: Array<[string, string]> = [["redis", paths.pools.redis], ["hpc", paths.pools.hpc], ["sqlite", paths.pools.sqlite]];
    const vectors = apps.map(([label, file]) => ({
      label,
      importances: featureImportance(loadDataset(file), { method: "permutation", trees: options.trees ?? 30, seed: options.seed ?? 0 }).importances,
    }));
    poolImportances = Object.fromEntries(vectors.map((v) => [v.label, v.importances]));
    pools = similarityMatrix(vectors);
    figures.push({ name: "fig05-similarity-pools", figure: similarityHeatmap(pools, "Fig. 5 (forests on the raw pools)", `${pools.features.length} common parameters, permutation importance, ${options.trees ?? 30} trees`), width: 560, height: 480 });
  }
  return { published, pools, poolImportances, figures };
}

// ---------------------------------------------------------------- Fig. 6

export interface Figure6 {
  app: Fig6App;
  deeptune: TraceFolder;
  transfer: TraceFolder;
  random?: TraceRun[];
  curves: { deeptune: ConvergenceCurves; transfer: ConvergenceCurves; random?: ConvergenceCurves };
  figure: NamedFigure;
  notes: string[];
}

/** Fig. 6a-d: DeepTune with and without transfer learning and random search, against cumulative time. */
export function figure6(paths: ArtifactPaths, app: Fig6App, options: { iterations?: number; window?: number; seed?: number } = {}): Figure6 {
  const where = paths.fig6[app];
  if (!where) fail(`no Fig. 6 data for ${JSON.stringify(app)}; use one of ${FIG6_APPS.join(", ")}`);
  const iterations = options.iterations ?? 250;
  const window = options.window ?? 100;
  const seed = options.seed ?? 0;
  const deeptune = loadTraceFolder(where.plain, { seed });
  const transfer = loadTraceFolder(where.tl, { seed: seed + 1 });
  const notes = [...deeptune.notes, ...transfer.notes];
  const curves: Figure6["curves"] = {
    deeptune: convergenceCurves(deeptune.runs, { iterations, window }),
    transfer: convergenceCurves(transfer.runs, { iterations, window }),
  };
  let random: TraceRun[] | undefined;
  if (where.pool) {
    random = withSimulatedTime(randomBaseline(loadDataset(where.pool), { runs: 5, iterations, seed }), deeptune.testTime, seed + 2);
    curves.random = convergenceCurves(random, { iterations, window });
  } else notes.push(`the ${app} pool is not in the artifact subset: no random-search baseline`);
  const series: CurveSeries[] = [
    seriesFromCurves("DeepTune", COLORS.deeptune, curves.deeptune),
    seriesFromCurves(`DeepTune + TL (from ${where.tlFrom})`, COLORS.deeptuneTl, curves.transfer),
  ];
  if (curves.random) series.push(seriesFromCurves("random search", COLORS.random, curves.random));
  const figure = convergenceFigure(series, {
    title: `Fig. 6${FIG6_LETTER[app]}: Linux ${app === "hpc" ? "NPB (hpc)" : app}, ${iterations} iterations, mean of runs (window ${window})`,
    xTitle: "cumulative time (s, simulated test time + DeepTune updates)",
    yTitle: "objective / pool best",
    crashAxis: true,
  });
  return { app, deeptune, transfer, random, curves, figure: { name: `fig06${FIG6_LETTER[app]}-${app}`, figure, width: 820, height: 480 }, notes };
}

// ---------------------------------------------------------------- Fig. 7 and 8 (cost)

export interface CostCurve {
  name: string;
  samples: number[];
  seconds: number[];
  megabytes: number[];
}

function timingCurve(name: string, file: string): CostCurve {
  const t = loadTimingLog(file).table;
  return {
    name,
    samples: Array.from(t.array("n_samples") as ArrayLike<number>),
    seconds: Array.from(t.array("time") as ArrayLike<number>),
    megabytes: Array.from(t.array("memory") as ArrayLike<number>, (b) => b / 1e6),
  };
}

/** Fig. 7: DeepTune's and Unicorn's time per step and memory against the number of samples. */
export function figure7(paths: ArtifactPaths): { deeptune: CostCurve; unicorn: CostCurve; figures: NamedFigure[] } {
  const deeptune = timingCurve("DeepTune", paths.fig7.deeptune);
  const u = loadUnicornCost(paths.fig7.unicorn).table;
  const unicorn: CostCurve = {
    name: "Unicorn",
    samples: Array.from(u.array("n_samples") as ArrayLike<number>),
    seconds: Array.from(u.array("time") as ArrayLike<number>),
    megabytes: Array.from(u.array("mem") as ArrayLike<number>, (b) => b / 1e6),
  };
  const line = (c: CostCurve, key: "seconds" | "megabytes", color: string): LineSeries => ({
    name: c.name,
    x: c.samples,
    y: c[key],
    color,
    mode: c.samples.length < 40 ? "lines+markers" : "lines",
  });
  return {
    deeptune,
    unicorn,
    figures: [
      {
        name: "fig07a-time",
        figure: lineFigure([line(deeptune, "seconds", COLORS.deeptune), line(unicorn, "seconds", COLORS.unicorn)], {
          title: "Fig. 7: time per search step", xTitle: "samples", yTitle: "seconds", yLog: true,
        }),
        width: 700, height: 440,
      },
      {
        name: "fig07b-memory",
        figure: lineFigure([line(deeptune, "megabytes", COLORS.deeptune), line(unicorn, "megabytes", COLORS.unicorn)], {
          title: "Fig. 7: memory of the search process", xTitle: "samples", yTitle: "MB", yLog: true,
        }),
        width: 700, height: 440,
      },
    ],
  };
}

/** Fig. 8: DeepTune's update time and memory for each Linux application (first run of each Fig. 6 folder). */
export function figure8(paths: ArtifactPaths): { curves: CostCurve[]; figure: NamedFigure } {
  const first: Record<Fig6App, string> = { nginx: "n_samples-mem-time_1.csv", redis: "n_samples-mem-time_0.csv", sqlite: "n_samples-mem-time_0.csv", hpc: "n_samples-mem-time_1.csv" };
  const curves = FIG6_APPS.map((app) => timingCurve(app, join(paths.fig6[app].plain, first[app])));
  const series: LineSeries[] = curves.flatMap((c, i) => [
    { name: `${c.name} time`, x: c.samples, y: c.seconds.map((s, k) => (k === 0 ? null : s)), color: PALETTE[i] },
    { name: `${c.name} memory`, x: c.samples, y: c.megabytes, color: PALETTE[i], right: true, dash: "dot" as const },
  ]);
  return {
    curves,
    figure: {
      name: "fig08-deeptune-cost",
      figure: lineFigure(series, { title: "Fig. 8: DeepTune cost per update (first run per application)", xTitle: "samples", yTitle: "seconds per update (solid)", y2Title: "MB (dotted)" }),
      width: 820, height: 480,
    },
  };
}

// ---------------------------------------------------------------- Fig. 9

export interface PolicyCurve {
  name: string;
  time: number[];
  mean: number[];
  std: number[];
}

/** Fig. 9: Unikraft nginx, random vs DeepTune vs Bayesian optimisation (already averaged over 5 runs). */
export function figure9(paths: ArtifactPaths): { curves: PolicyCurve[]; figure: NamedFigure } {
  const t = loadPolicyCurves(paths.fig9).table;
  const col = (n: string) => Array.from(t.array(n) as ArrayLike<number | null>);
  const curve = (name: string, prefix: string, timeCol: string): PolicyCurve => {
    const time = col(timeCol);
    const mean = col(`${prefix}_tp_mean`);
    const std = col(`${prefix}_tp_std`);
    // keep the iterations that have all three numbers (DeepTune's first row has no time)
    const keep = time.map((_, i) => time[i] !== null && mean[i] !== null && std[i] !== null);
    return {
      name,
      time: time.filter((_, i) => keep[i]) as number[],
      mean: mean.filter((_, i) => keep[i]) as number[],
      std: std.filter((_, i) => keep[i]) as number[],
    };
  };
  const curves = [curve("random search", "rng", "test_tm"), curve("DeepTune", "deeptune", "deeptune_tm"), curve("Bayesian optimisation", "bayes-opt", "bayes-opt_tm")];
  const colors = [COLORS.random, COLORS.deeptune, COLORS.bayes];
  const figure = convergenceFigure(
    curves.map((c, i) => ({ name: c.name, color: colors[i], x: c.time, mean: c.mean, lower: c.mean.map((m, k) => m - c.std[k]), upper: c.mean.map((m, k) => m + c.std[k]) })),
    { title: "Fig. 9: Unikraft nginx, mean +- std over 5 runs (as published)", xTitle: "cumulative time (s)", yTitle: "throughput (req/s)" },
  );
  return { curves, figure: { name: "fig09-unikraft-nginx", figure, width: 820, height: 480 } };
}

// ---------------------------------------------------------------- Fig. 10

/** Bytes the riscv kernel saves relative to the artifact's reference size (Fig. 10's y axis). */
export const RISCV_REFERENCE_BYTES = 214761472;

export function figure10(paths: ArtifactPaths, options: { seed?: number; runs?: number } = {}) {
  const trace = traceRun(loadDataset(paths.fig10), { label: "DeepTune" });
  const n = trace.values.length;
  const pool = loadDataset(paths.pools.riscv);
  // the pool's objective is the memory used (minimised); express random search in bytes saved as the trace does
  const shuffles = randomBaseline(pool, { runs: options.runs ?? 5, iterations: n, seed: options.seed ?? 0, relative: false }).map((r) => ({
    ...r,
    values: r.values.map((v) => (v === null ? null : RISCV_REFERENCE_BYTES - v)),
  }));
  const mb = (v: number | null) => (v === null ? null : v / 1e6);
  const deeptuneBest = bestSoFar(trace.values).map(mb);
  const random = convergenceCurves(
    shuffles.map((r) => ({ label: r.label, values: bestSoFar(r.values).map((v) => v ?? 0) })),
    {},
  );
  const deeptuneCrash: number[] = trace.values.map((v) => (v === null ? 1 : 0));
  const iteration = trace.values.map((_, i) => i + 1);
  const firstOk = deeptuneBest.findIndex((v) => v !== null);
  const figure = convergenceFigure(
    [
      { name: "DeepTune best so far", color: COLORS.deeptune, x: iteration.slice(firstOk), mean: deeptuneBest.slice(firstOk) as number[] },
      { name: `random search best so far (${shuffles.length} shuffles of the pool)`, color: COLORS.random, x: random.iteration, mean: random.raw.mean.map((v) => v / 1e6), lower: random.raw.lower.map((v) => v / 1e6), upper: random.raw.upper.map((v) => v / 1e6) },
    ],
    { title: "Fig. 10: Linux on RISC-V, kernel memory saved", xTitle: "iteration", yTitle: "MB saved" },
  );
  return {
    trace,
    deeptuneBestMB: deeptuneBest,
    deeptuneCrashRate: deeptuneCrash.reduce((a: number, b: number) => a + b, 0) / n,
    poolCrashRate: Array.from(pool.table.array(pool.schema.crashColumn) as ArrayLike<boolean>).filter(Boolean).length / pool.table.numRows(),
    randomBestMB: random.raw.mean.map((v) => v / 1e6),
    figure: { name: "fig10-riscv", figure, width: 820, height: 480 } as NamedFigure,
  };
}

// ---------------------------------------------------------------- Fig. 11

export function figure11(paths: ArtifactPaths, options: { window?: number } = {}) {
  const folder = loadTraceFolder(paths.fig11, { column: "throughput" });
  const curves = convergenceCurves(folder.runs, { window: options.window ?? 50 });
  const best = convergenceCurves(
    folder.runs.map((r) => ({ label: r.label, values: bestSoFar(r.values).map((v) => v ?? 0) })),
    {},
  );
  const figure = convergenceFigure(
    [
      { ...seriesFromCurves("DeepTune score (smoothed)", COLORS.deeptune, curves, "iteration"), crashRate: undefined },
      { name: "best score so far", color: COLORS.deeptuneTl, x: best.iteration, mean: best.raw.mean, lower: best.raw.lower, upper: best.raw.upper, dash: "dash" },
    ],
    { title: `Fig. 11: nginx throughput-memory co-optimisation, ${folder.runs.length} runs`, xTitle: "iteration", yTitle: "score = minmax(throughput) - minmax(memory)" },
  );
  return { folder, curves, best, figure: { name: "fig11-multiobjective", figure, width: 820, height: 480 } as NamedFigure };
}
