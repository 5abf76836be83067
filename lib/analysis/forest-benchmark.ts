/**
 * Side-by-side benchmark of this forest against scikit-learn's RandomForestRegressor on a pool's
 * non-crashed rows (100 trees, all features per split, bootstrap): CPU time of the fit alone on both
 * sides, and agreement of the impurity importances (Spearman rank correlation over all encoded columns,
 * same top feature; see forest-agreement.ts for why single forests are not enough to judge it).
 * scikit-learn runs the reference script unchanged; a few lines of Python around it time
 * `RandomForestRegressor.fit` with process_time and set its seed, so reading the .xlsx with pandas
 * (slow) is not counted against it.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import type { Dataset } from "../datasets/types";
import { fail } from "../errors";
import { featureMatrix } from "./feature-matrix";
import { targetRows } from "./feature-importance";
import { agreementMatrix, importanceAgreement, meanImportances, pairwiseAgreement, topFeature, type ImportanceMap } from "./forest-agreement";
import { RandomForest } from "./random-forest";

export interface ForestRun {
  seed: number;
  fitCpuSeconds: number;
  importances: ImportanceMap;
  /** SHA-256 of the matrix (row-major float64) and target exactly as handed to the fit. */
  inputDigest: string;
}

export interface ForestBenchmark {
  rows: number;
  columns: number;
  trees: number;
  ours: ForestRun[];
  /** Ours with other seeds (+ `ceilingOffset`): our second, independent group. */
  oursOther: ForestRun[];
  /** scikit-learn with the same seeds as ours. */
  sklearn: ForestRun[];
  /** scikit-learn with other seeds (ours + `ceilingOffset`): a second, independent group of its forests. */
  sklearnOther: ForestRun[];
  /** matrix[i][j]: Spearman of our seed i against scikit-learn's seed j (single forests). */
  matrix: number[][];
  /** scikit-learn's same-seed forests against each other: the noise ceiling of `matrix`. */
  sklearnPairs: number[];
  /** The same among our forests. */
  oursPairs: number[];
  /** Spearman of our seed-averaged importances against scikit-learn's: the number compared to the target. */
  averaged: number;
  /** Our average against the average of scikit-learn's other group. */
  averagedOther: number;
  /** scikit-learn's two groups' averages against each other: the ceiling of `averaged`. */
  averagedCeiling: number;
  /** Our two groups' averages against each other. */
  averagedOursCeiling: number;
  topOurs: string[];
  topSklearn: string[];
  topAveraged: { ours: string; sklearn: string };
  /** Every scikit-learn fit saw exactly our matrix and target (same digest). */
  sameInputs: boolean;
  /** Columns in which scikit-learn's float32 conversion merges distinct values (it fits on float32 features). */
  float32MergedColumns: string[];
}

// Runs the reference script with RandomForestRegressor.fit timed and random_state replaced.
const pythonWrapper = `
import runpy, sys, time, json
import sklearn.ensemble as ens
script, pool, crash, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
Orig = ens.RandomForestRegressor
class Timed(Orig):
    def fit(self, X, y):
        import hashlib, numpy as np
        h = hashlib.sha256(np.ascontiguousarray(X, dtype="<f8").tobytes())
        h.update(np.ascontiguousarray(y, dtype="<f8").tobytes())
        sys.stderr.write("INPUT_SHA256 %s\\n" % h.hexdigest())
        self.set_params(random_state=seed)
        t = time.process_time()
        out = Orig.fit(self, X, y)
        sys.stderr.write("FIT_CPU %.6f\\n" % (time.process_time() - t))
        return out
ens.RandomForestRegressor = Timed
sys.argv = [script, pool, crash]
runpy.run_path(script, run_name="__main__")
`;

export function runSklearn(python: string, script: string, pool: string, crash: string, seed: number): ForestRun {
  if (!existsSync(python)) fail(`${python} not found; install Debian python3-sklearn (scikit-learn under /usr/bin/python3)`);
  if (!existsSync(script)) fail(`${script}: no such reference script`);
  const r = spawnSync(python, ["-c", pythonWrapper, script, pool, crash, String(seed)], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) fail(`scikit-learn reference failed (exit ${r.status}): ${r.stderr.slice(-800)}`);
  const m = /FIT_CPU ([\d.]+)/.exec(r.stderr);
  if (!m) fail(`scikit-learn reference printed no fit time: ${r.stderr.slice(-400)}`);
  const digest = /INPUT_SHA256 ([0-9a-f]{64})/.exec(r.stderr);
  if (!digest) fail(`scikit-learn reference printed no input digest: ${r.stderr.slice(-400)}`);
  const rows = JSON.parse(r.stdout) as { feature: string; importance: number }[];
  return { seed, fitCpuSeconds: Number(m[1]), importances: new Map(rows.map((x) => [x.feature, x.importance])), inputDigest: digest[1]! };
}

/** SHA-256 of a column-major matrix written row-major as little-endian float64, then the target: numpy's X.tobytes(). */
export function matrixDigest(columns: ArrayLike<number>[], y: ArrayLike<number>): string {
  const n = y.length;
  const p = columns.length;
  const flat = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) flat[i * p + j] = columns[j]![i]!;
  const h = createHash("sha256");
  h.update(new Uint8Array(flat.buffer));
  h.update(new Uint8Array(Float64Array.from(y).buffer));
  return h.digest("hex");
}

/** Columns whose distinct values are fewer once rounded to float32 (what scikit-learn's trees split on). */
export function float32MergedColumns(names: string[], columns: ArrayLike<number>[]): string[] {
  return names.filter((_, j) => {
    const col = Array.from(columns[j]!);
    return new Set(col.map(Math.fround)).size < new Set(col).size;
  });
}

export function runOurs(dataset: Dataset, trees: number, seed: number): ForestRun & { rows: number; columns: number; float32Merged: string[] } {
  const { rows, y } = targetRows(dataset, "objective");
  const matrix = featureMatrix(dataset, { rows, encoding: "one-hot" });
  const cpu = process.cpuUsage();
  const forest = new RandomForest({ trees, seed, maxFeatures: "all", bootstrap: true }).fit(matrix, y);
  const used = process.cpuUsage(cpu);
  const imp = forest.featureImportances();
  return {
    seed,
    fitCpuSeconds: (used.user + used.system) / 1e6,
    importances: new Map(matrix.names.map((n, j) => [n, imp[j]])),
    inputDigest: matrixDigest(matrix.columns, y),
    rows: rows.length,
    columns: matrix.names.length,
    float32Merged: float32MergedColumns(matrix.names, matrix.columns),
  };
}

export function forestBenchmark(options: {
  dataset: Dataset;
  poolFile: string;
  crashMarker: string;
  python: string;
  script: string;
  trees?: number;
  seeds?: number[];
  /** scikit-learn's second group uses seeds + this offset; default 100. */
  ceilingOffset?: number;
  log?: (line: string) => void;
}): ForestBenchmark {
  const trees = options.trees ?? 100;
  const seeds = options.seeds ?? [0, 1, 2];
  if (seeds.length < 2) fail(`the benchmark needs at least 2 seeds to measure the noise between forests, got ${seeds.length}`);
  const offset = options.ceilingOffset ?? 100;
  const log = options.log ?? (() => {});
  const ours: ForestRun[] = [];
  let rows = 0;
  let columns = 0;
  let float32Merged: string[] = [];
  const oursOther: ForestRun[] = [];
  for (const s of [...seeds, ...seeds.map((x) => x + offset)]) {
    const { rows: n, columns: p, float32Merged: merged, ...r } = runOurs(options.dataset, trees, s);
    rows = n;
    columns = p;
    float32Merged = merged;
    (ours.length < seeds.length ? ours : oursOther).push(r);
    log(`ours seed ${s}: fit ${r.fitCpuSeconds.toFixed(1)} s CPU`);
  }
  const sk = (s: number) => {
    const r = runSklearn(options.python, options.script, options.poolFile, options.crashMarker, s);
    log(`scikit-learn seed ${s}: fit ${r.fitCpuSeconds.toFixed(1)} s CPU`);
    return r;
  };
  const sklearn = seeds.map(sk);
  const sklearnOther = seeds.map((s) => sk(s + offset));
  return summariseForestBenchmark({ rows, columns, trees, ours, oursOther, sklearn, sklearnOther, float32MergedColumns: float32Merged });
}

/** The agreement figures of a benchmark from its runs (pure; the benchmark above produces the runs). */
export function summariseForestBenchmark(
  r: Pick<ForestBenchmark, "rows" | "columns" | "trees" | "ours" | "oursOther" | "sklearn" | "sklearnOther" | "float32MergedColumns">,
): ForestBenchmark {
  const maps = (runs: ForestRun[]) => runs.map((x) => x.importances);
  const meanOurs = meanImportances(maps(r.ours));
  const meanSk = meanImportances(maps(r.sklearn));
  const meanOther = meanImportances(maps(r.sklearnOther));
  return {
    ...r,
    matrix: agreementMatrix(maps(r.ours), maps(r.sklearn)),
    sklearnPairs: pairwiseAgreement(maps(r.sklearn)),
    oursPairs: pairwiseAgreement(maps(r.ours)),
    averaged: importanceAgreement(meanOurs, meanSk),
    averagedOther: importanceAgreement(meanOurs, meanOther),
    averagedCeiling: importanceAgreement(meanSk, meanOther),
    averagedOursCeiling: importanceAgreement(meanOurs, meanImportances(maps(r.oursOther))),
    topOurs: [...r.ours, ...r.oursOther].map((o) => topFeature(o.importances)),
    topSklearn: [...r.sklearn, ...r.sklearnOther].map((o) => topFeature(o.importances)),
    topAveraged: { ours: topFeature(meanOurs), sklearn: topFeature(meanImportances(maps([...r.sklearn, ...r.sklearnOther]))) },
    sameInputs: [...r.ours, ...r.oursOther, ...r.sklearn, ...r.sklearnOther].every((x) => x.inputDigest === r.ours[0]!.inputDigest),
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f3 = (x: number) => x.toFixed(3);

/** Whether the issue's target holds: averaged Spearman >= 0.8 and the same top feature. */
export function forestTargetMet(b: ForestBenchmark): boolean {
  return b.averaged >= 0.8 && b.topAveraged.ours === b.topAveraged.sklearn;
}

/** The BENCHMARKS.md section body. */
export function formatForestBenchmark(b: ForestBenchmark, command: string, machine: string): string {
  const ourRuns = [...b.ours, ...b.oursOther];
  const ourCpu = mean(ourRuns.map((r) => r.fitCpuSeconds));
  const skRuns = [...b.sklearn, ...b.sklearnOther];
  const skCpu = mean(skRuns.map((r) => r.fitCpuSeconds));
  const seedList = (runs: ForestRun[]) => runs.map((r) => r.seed).join(",");
  const lines = [
    "## Random forest vs scikit-learn (feature importance)",
    "",
    `Command: \`${command}\``,
    "",
    `Redis pool, ${b.rows} non-crashed rows x ${b.columns} encoded columns (numeric as numbers, others one-hot,`,
    `constant columns dropped, as in the reference script); ${b.trees} trees, all features per split, bootstrap. ${machine}`,
    "",
    "| | fit CPU time (s), per seed | mean | top feature |",
    "|---|---|---|---|",
    `| wayfinder-ts (seeds ${seedList(ourRuns)}) | ${ourRuns.map((r) => r.fitCpuSeconds.toFixed(1)).join(", ")} | ${ourCpu.toFixed(1)} | ${[...new Set(b.topOurs)].join(", ")} |`,
    `| scikit-learn (seeds ${seedList(skRuns)}) | ${skRuns.map((r) => r.fitCpuSeconds.toFixed(1)).join(", ")} | ${skCpu.toFixed(1)} | ${[...new Set(b.topSklearn)].join(", ")} |`,
    "",
    `CPU time ratio (ours / scikit-learn, fit only): **${(ourCpu / skCpu).toFixed(2)}**`,
    "",
    b.sameInputs
      ? `Inputs: every fit on both sides got the same matrix and target (SHA-256 of X and y as passed to fit: ${b.ours[0]!.inputDigest.slice(0, 16)}...).`
      : "Inputs: **the two sides were NOT fitted on the same matrix and target** (the SHA-256 of X and y differ): the encodings disagree, so the comparison below is not of the forests alone.",
    `scikit-learn's trees split on float32 copies of the features: ${b.float32MergedColumns.length ? `in ${b.float32MergedColumns.length} column(s) (${b.float32MergedColumns.slice(0, 5).join(", ")}) that merges values ours keeps apart` : "no two values of any column merge"}.`,
    "",
    `Spearman rank correlation of the importances over all ${b.columns} columns, single forests, ours (rows)`,
    "against scikit-learn (columns):",
    "",
    `| | ${b.sklearn.map((r) => `sklearn ${r.seed}`).join(" | ")} |`,
    `|---|${b.sklearn.map(() => "---").join("|")}|`,
    ...b.matrix.map((row, i) => `| ours ${b.ours[i].seed} | ${row.map(f3).join(" | ")} |`),
    "",
    `Mean ${f3(mean(b.matrix.flat()))}. Noise ceiling of single forests: scikit-learn against itself`,
    `${b.sklearnPairs.map(f3).join(", ")} (mean ${f3(mean(b.sklearnPairs))}); ours against itself ${b.oursPairs.map(f3).join(", ")} (mean ${f3(mean(b.oursPairs))}).`,
    "",
    `Seed-averaged importances (${b.ours.length} forests per side): ours vs scikit-learn seeds ${seedList(b.sklearn)}: **${f3(b.averaged)}**;`,
    `ours vs scikit-learn seeds ${seedList(b.sklearnOther)}: ${f3(b.averagedOther)}. The ceiling, two groups of the same implementation`,
    `against each other: scikit-learn ${seedList(b.sklearn)} vs ${seedList(b.sklearnOther)}: ${f3(b.averagedCeiling)}; ours ${seedList(b.ours)} vs ${seedList(b.oursOther)}: ${f3(b.averagedOursCeiling)}.`,
    `Top feature of the averages: ours ${b.topAveraged.ours}, scikit-learn ${b.topAveraged.sklearn}.`,
    "",
    "The number compared with the target (Spearman >= 0.8, same top feature) is the seed-averaged one in",
    "bold. One forest's ranks of the many weak columns are mostly noise (which of several equally good",
    "features a deep node happens to split on), so single-forest correlations measure that noise:",
    "scikit-learn against itself sits at the same level as ours against it. Averaging a few forests per",
    "side removes most of that noise, so the averaged correlation measures whether the two implementations",
    "estimate the same importances; the ceilings show how far two groups of one implementation's forests",
    `still differ (the remaining noise). Target ${forestTargetMet(b) ? "met" : "NOT met"}.`,
    "",
    "The trees themselves are checked against scikit-learn's where both are deterministic",
    "(test/analysis/forest-sklearn.test.ts: same rows and bootstrap weights, depth-limited so no features",
    "tie): identical node counts, importances and predictions.",
  ];
  return lines.join("\n");
}
