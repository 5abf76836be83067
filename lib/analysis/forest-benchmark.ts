/**
 * Side-by-side benchmark of this forest against scikit-learn's RandomForestRegressor on a pool's
 * non-crashed rows (100 trees, all features per split, bootstrap): CPU time of the fit alone on both
 * sides, and agreement of the impurity importances (Spearman rank correlation over all encoded columns,
 * same top feature). scikit-learn runs the reference script unchanged; a few lines of Python around it
 * time `RandomForestRegressor.fit` with process_time and set its seed, so reading the .xlsx with pandas
 * (slow) is not counted against it.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { Dataset } from "../datasets/types";
import { fail } from "../errors";
import { featureMatrix } from "./feature-matrix";
import { targetRows } from "./feature-importance";
import { RandomForest } from "./random-forest";
import { spearman } from "./rank-correlation";

export interface ForestRun {
  seed: number;
  fitCpuSeconds: number;
  importances: Map<string, number>;
}

export interface ForestBenchmark {
  rows: number;
  columns: number;
  trees: number;
  ours: ForestRun[];
  sklearn: ForestRun[];
  /** Spearman of each of our seeds against scikit-learn's first seed. */
  oursVsSklearn: number[];
  /** Spearman of scikit-learn's later seeds against its first: how well it agrees with itself. */
  sklearnVsSklearn: number[];
  topOurs: string[];
  topSklearn: string[];
}

// Runs the reference script with RandomForestRegressor.fit timed and random_state replaced.
const pythonWrapper = `
import runpy, sys, time, json
import sklearn.ensemble as ens
script, pool, crash, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
Orig = ens.RandomForestRegressor
class Timed(Orig):
    def fit(self, X, y):
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
  const rows = JSON.parse(r.stdout) as { feature: string; importance: number }[];
  return { seed, fitCpuSeconds: Number(m[1]), importances: new Map(rows.map((x) => [x.feature, x.importance])) };
}

export function runOurs(dataset: Dataset, trees: number, seed: number): ForestRun & { rows: number; columns: number } {
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
    rows: rows.length,
    columns: matrix.names.length,
  };
}

function top(m: Map<string, number>): string {
  let best = "";
  let v = -Infinity;
  for (const [k, x] of m) if (x > v) [best, v] = [k, x];
  return best;
}

/** Spearman between two importance maps over the same feature names (a mismatch is an error). */
export function importanceAgreement(a: Map<string, number>, b: Map<string, number>): number {
  const names = [...a.keys()].sort();
  const missing = names.filter((n) => !b.has(n));
  if (missing.length || b.size !== a.size)
    fail(`the two importance lists have different features (${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""}; ${a.size} vs ${b.size}); the encodings differ`);
  return spearman(names.map((n) => a.get(n)!), names.map((n) => b.get(n)!));
}

export function forestBenchmark(options: {
  dataset: Dataset;
  poolFile: string;
  crashMarker: string;
  python: string;
  script: string;
  trees?: number;
  seeds?: number[];
  sklearnSeeds?: number[];
  log?: (line: string) => void;
}): ForestBenchmark {
  const trees = options.trees ?? 100;
  const seeds = options.seeds ?? [0, 1, 2];
  const skSeeds = options.sklearnSeeds ?? [0, 1];
  const log = options.log ?? (() => {});
  const ours: ForestRun[] = [];
  let rows = 0;
  let columns = 0;
  for (const s of seeds) {
    const r = runOurs(options.dataset, trees, s);
    rows = r.rows;
    columns = r.columns;
    ours.push(r);
    log(`ours seed ${s}: fit ${r.fitCpuSeconds.toFixed(1)} s CPU`);
  }
  const sklearn: ForestRun[] = [];
  for (const s of skSeeds) {
    const r = runSklearn(options.python, options.script, options.poolFile, options.crashMarker, s);
    sklearn.push(r);
    log(`scikit-learn seed ${s}: fit ${r.fitCpuSeconds.toFixed(1)} s CPU`);
  }
  return {
    rows,
    columns,
    trees,
    ours,
    sklearn,
    oursVsSklearn: ours.map((o) => importanceAgreement(o.importances, sklearn[0].importances)),
    sklearnVsSklearn: sklearn.slice(1).map((o) => importanceAgreement(o.importances, sklearn[0].importances)),
    topOurs: ours.map((o) => top(o.importances)),
    topSklearn: sklearn.map((o) => top(o.importances)),
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The BENCHMARKS.md section body. */
export function formatForestBenchmark(b: ForestBenchmark, command: string, machine: string): string {
  const ourCpu = mean(b.ours.map((r) => r.fitCpuSeconds));
  const skCpu = mean(b.sklearn.map((r) => r.fitCpuSeconds));
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
    `| wayfinder-ts (seeds ${b.ours.map((r) => r.seed).join(", ")}) | ${b.ours.map((r) => r.fitCpuSeconds.toFixed(1)).join(", ")} | ${ourCpu.toFixed(1)} | ${[...new Set(b.topOurs)].join(", ")} |`,
    `| scikit-learn (seeds ${b.sklearn.map((r) => r.seed).join(", ")}) | ${b.sklearn.map((r) => r.fitCpuSeconds.toFixed(1)).join(", ")} | ${skCpu.toFixed(1)} | ${[...new Set(b.topSklearn)].join(", ")} |`,
    "",
    `CPU time ratio (ours / scikit-learn, fit only): **${(ourCpu / skCpu).toFixed(2)}**`,
    "",
    `Spearman rank correlation of importances over all ${b.columns} columns, ours (each seed) vs scikit-learn seed ${b.sklearn[0].seed}:`,
    `${b.oursVsSklearn.map((x) => x.toFixed(3)).join(", ")} (mean **${mean(b.oursVsSklearn).toFixed(3)}**).`,
    b.sklearnVsSklearn.length
      ? `For scale, scikit-learn against itself with another seed: ${b.sklearnVsSklearn.map((x) => x.toFixed(3)).join(", ")}. Most of the columns have tiny importances whose ranks are noise, so ~0.8 is the ceiling for any two forests.`
      : "",
  ];
  return lines.join("\n");
}
