/**
 * A random forest for regression and classification on numeric feature matrices, written for feature
 * importance on permutation datasets (a few thousand rows, a few hundred features). It follows
 * scikit-learn's RandomForestRegressor/Classifier: bootstrap samples as integer weights, fully grown CART
 * trees, a random subset of features per node visited in random order (the first of equally good splits
 * wins), thresholds halfway between neighbouring values, impurity importance normalised per tree and
 * averaged. Features are coded by their exact distinct values (binned-matrix.ts) and splits searched on
 * histograms of those codes, or for wide columns in regression on rows kept sorted by code
 * (decision-tree.ts); either way the candidate thresholds are scikit-learn's for any column with at most
 * 65536 distinct values. Known remaining differences: scikit-learn rounds features to float32 first
 * (two values closer than float32 resolution are one value there, two here) and draws from another
 * random generator.
 * forest-benchmark.ts measures how closely the importances agree; test/analysis/forest-sklearn.test.ts
 * checks single trees against scikit-learn's exactly.
 *
 * Usage (scikit-learn style): `new RandomForest({ trees: 100, seed: 1 }).fit(matrix, y).featureImportances()`.
 */
import { fail, quote } from "../errors";
import { Rng } from "../random";
import { applyBins, binMatrix, MAX_BINS, type BinnedMatrix, type FeatureMatrix } from "./binned-matrix";
import { growTree, leafOf, TreeScratch, type Tree } from "./decision-tree";

export type ForestTask = "regression" | "classification";

export interface ForestOptions {
  /** Default "regression". */
  task?: ForestTask;
  /** Number of trees; default 100. */
  trees?: number;
  /** Features tried per split: "all" (default for regression), "sqrt" (default for classification),
   *  a fraction in (0, 1] (so 1 means all), or an integer count > 1. */
  maxFeatures?: "all" | "sqrt" | number;
  /** Draw a bootstrap sample per tree (default true); without it every tree sees every row once. */
  bootstrap?: boolean;
  /** Default unlimited. */
  maxDepth?: number;
  /** Default 2. */
  minSamplesSplit?: number;
  /** Default 1. */
  minSamplesLeaf?: number;
  /** Histogram bins per feature, 2..65536 (default 65536, exact); fewer cuts wide columns at quantiles. */
  maxBins?: number;
  /** Seed of the forest's random stream; default 0. */
  seed?: number;
}

interface Fitted {
  binned: BinnedMatrix;
  y: Float64Array;
  /** Class labels in code order (classification); y holds their codes. */
  classes: number[];
  trees: Tree[];
  /** Per tree, rows left out of its bootstrap sample. */
  outOfBag: Int32Array[];
}

export class RandomForest {
  readonly options: Required<ForestOptions>;
  private fitted?: Fitted;

  constructor(options: ForestOptions = {}) {
    const task = options.task ?? "regression";
    if (task !== "regression" && task !== "classification")
      fail(`task ${quote(task)} is invalid; use "regression" or "classification"`);
    const o: Required<ForestOptions> = {
      task,
      trees: options.trees ?? 100,
      maxFeatures: options.maxFeatures ?? (task === "regression" ? "all" : "sqrt"),
      bootstrap: options.bootstrap ?? true,
      maxDepth: options.maxDepth ?? Infinity,
      minSamplesSplit: options.minSamplesSplit ?? 2,
      minSamplesLeaf: options.minSamplesLeaf ?? 1,
      maxBins: options.maxBins ?? MAX_BINS,
      seed: options.seed ?? 0,
    };
    if (!Number.isInteger(o.trees) || o.trees < 1) fail(`trees ${quote(o.trees)} is invalid; use an integer >= 1`);
    if (!Number.isInteger(o.seed)) fail(`seed ${quote(o.seed)} is invalid; use an integer`);
    const mf = o.maxFeatures;
    if (!(mf === "all" || mf === "sqrt" || (typeof mf === "number" && mf > 0 && (mf <= 1 || Number.isInteger(mf)))))
      fail(`maxFeatures ${quote(mf)} is invalid; use "all", "sqrt", a fraction in (0, 1] or an integer count > 1`);
    if (!(o.maxDepth >= 1)) fail(`maxDepth ${quote(o.maxDepth)} is invalid; use a number >= 1`);
    if (!Number.isInteger(o.minSamplesSplit) || o.minSamplesSplit < 2)
      fail(`minSamplesSplit ${quote(o.minSamplesSplit)} is invalid; use an integer >= 2`);
    if (!Number.isInteger(o.minSamplesLeaf) || o.minSamplesLeaf < 1)
      fail(`minSamplesLeaf ${quote(o.minSamplesLeaf)} is invalid; use an integer >= 1`);
    this.options = o;
  }

  /** Fit on a numeric matrix and a target (numbers for regression, any numeric labels for classification). */
  fit(matrix: FeatureMatrix, target: ArrayLike<number>): this {
    const binned = binMatrix(matrix, this.options.maxBins);
    const n = binned.rows;
    if (target.length !== n) fail(`target has ${target.length} values but the matrix has ${n} rows`);
    if (n < 2) fail(`a forest needs at least 2 rows, got ${n}`);
    const y = new Float64Array(n);
    let classes: number[] = [];
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(target[i])) fail(`target row ${i} holds ${quote(target[i])}; it must be a finite number`);
    if (this.options.task === "classification") {
      classes = [...new Set(Array.from(target))].sort((a, b) => a - b);
      if (classes.length > 64) fail(`classification target has ${classes.length} distinct labels; at most 64 are supported`);
      const code = new Map(classes.map((c, k) => [c, k]));
      for (let i = 0; i < n; i++) y[i] = code.get(target[i])!;
    } else y.set(target);

    const p = binned.codes.length;
    const mf = this.options.maxFeatures;
    const maxFeatures =
      mf === "all" ? p : mf === "sqrt" ? Math.max(1, Math.floor(Math.sqrt(p))) : mf <= 1 ? Math.max(1, Math.floor(mf * p)) : Math.min(p, mf);
    const treeOpts = {
      maxFeatures,
      maxDepth: this.options.maxDepth,
      minSamplesSplit: this.options.minSamplesSplit,
      minSamplesLeaf: this.options.minSamplesLeaf,
      classes: this.options.task === "classification" ? classes.length : 0,
    };
    const rng = new Rng(this.options.seed);
    const scratch = new TreeScratch(n, p, treeOpts.classes, binned.bins.reduce((a, b) => Math.max(a, b), 2));
    const trees: Tree[] = [];
    const outOfBag: Int32Array[] = [];
    const weight = new Float64Array(n);
    for (let t = 0; t < this.options.trees; t++) {
      const treeRng = rng.fork();
      if (this.options.bootstrap) {
        weight.fill(0);
        for (let i = 0; i < n; i++) weight[treeRng.int(0, n - 1)]++;
      } else weight.fill(1);
      const oob: number[] = [];
      for (let i = 0; i < n; i++) if (weight[i] === 0) oob.push(i);
      outOfBag.push(Int32Array.from(oob));
      trees.push(growTree(binned, y, weight, treeOpts, treeRng, scratch));
    }
    this.fitted = { binned, y, classes, trees, outOfBag };
    return this;
  }

  private state(): Fitted {
    if (!this.fitted) fail("this RandomForest is not fitted yet; call fit(matrix, target) first");
    return this.fitted;
  }

  get featureNames(): string[] {
    return this.state().binned.names.slice();
  }

  get classes(): number[] {
    return this.state().classes.slice();
  }

  /**
   * Mean decrease in impurity, as scikit-learn computes it: each tree's weighted impurity decreases per
   * feature, normalised to sum 1 per tree (left at zero if the tree's splits improved nothing), averaged
   * over the trees that split at all (a single-leaf tree is left out, a tree of useless splits counts as
   * zeros), normalised again.
   */
  featureImportances(): Float64Array {
    const { trees, binned } = this.state();
    const p = binned.codes.length;
    const out = new Float64Array(p);
    let used = 0;
    for (const tree of trees) {
      if (tree.feature.length <= 1) continue;
      used++;
      let sum = 0;
      for (let f = 0; f < p; f++) sum += tree.importance[f];
      if (sum > 0) for (let f = 0; f < p; f++) out[f] += tree.importance[f] / sum;
    }
    let total = 0;
    for (let f = 0; f < p; f++) total += out[f];
    if (used > 0 && total > 0) for (let f = 0; f < p; f++) out[f] /= total;
    return out;
  }

  /**
   * Permutation importance on each tree's out-of-bag rows (Breiman's original): the increase of the
   * tree's error when one feature's values are shuffled among those rows, averaged over trees and
   * `repeats` shuffles. Error = squared error divided by the target's variance (regression) or the
   * misclassification rate (classification), so values are comparable across datasets. Without
   * bootstrap every row is used. Features a tree never splits on contribute exactly 0 for that tree.
   */
  permutationImportance(options: { repeats?: number; seed?: number } = {}): Float64Array {
    const { trees, binned, y, outOfBag } = this.state();
    const repeats = options.repeats ?? 1;
    if (!Number.isInteger(repeats) || repeats < 1) fail(`repeats ${quote(repeats)} is invalid; use an integer >= 1`);
    const rng = new Rng(options.seed ?? this.options.seed);
    const p = binned.codes.length;
    const n = binned.rows;
    const classification = this.options.task === "classification";
    const width = classification ? this.fitted!.classes.length : 1;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += y[i];
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (y[i] - mean) ** 2;
    variance /= n;
    const scale = classification ? 1 : variance > 0 ? 1 / variance : 0;
    const loss = (tree: Tree, leaf: number, row: number): number => {
      if (!classification) return (tree.value[leaf] - y[row]) ** 2 * scale;
      let best = 0;
      for (let k = 1; k < width; k++) if (tree.value[leaf * width + k] > tree.value[leaf * width + best]) best = k;
      return best === y[row] ? 0 : 1;
    };
    const out = new Float64Array(p);
    let counted = 0;
    const all = Int32Array.from({ length: n }, (_, i) => i);
    trees.forEach((tree, t) => {
      const rows = this.options.bootstrap ? outOfBag[t] : all;
      if (rows.length === 0) return;
      counted++;
      let base = 0;
      for (const r of rows) base += loss(tree, leafOf(tree, binned.codes, r), r);
      base /= rows.length;
      const used = new Set<number>();
      for (const f of tree.feature) if (f >= 0) used.add(f);
      for (const f of [...used].sort((a, b) => a - b)) {
        let increase = 0;
        for (let rep = 0; rep < repeats; rep++) {
          const shuffled = rng.shuffle(Array.from(rows));
          let err = 0;
          rows.forEach((r, i) => (err += loss(tree, leafOf(tree, binned.codes, r, f, shuffled[i]), r)));
          increase += err / rows.length - base;
        }
        out[f] += increase / repeats;
      }
    });
    if (counted > 0) for (let f = 0; f < p; f++) out[f] /= counted;
    return out;
  }

  /** Regression: the mean of the trees' predictions. Classification: the most probable class label. */
  predict(matrix: FeatureMatrix): Float64Array {
    const { classes } = this.state();
    if (this.options.task === "regression") return this.average(matrix, 1);
    const proba = this.predictProba(matrix);
    const K = classes.length;
    const out = new Float64Array(proba.length / K);
    for (let i = 0; i < out.length; i++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (proba[i * K + k] > proba[i * K + best]) best = k;
      out[i] = classes[best];
    }
    return out;
  }

  /** Class probabilities, row-major (rows x classes, classes in the order of `classes`). */
  predictProba(matrix: FeatureMatrix): Float64Array {
    const { classes } = this.state();
    if (this.options.task !== "classification") fail("predictProba needs a classification forest");
    return this.average(matrix, classes.length);
  }

  private average(matrix: FeatureMatrix, width: number): Float64Array {
    const { binned, trees } = this.state();
    const codes = applyBins(binned, matrix);
    const rows = codes[0].length;
    const out = new Float64Array(rows * width);
    for (const tree of trees)
      for (let r = 0; r < rows; r++) {
        const leaf = leafOf(tree, codes, r);
        for (let k = 0; k < width; k++) out[r * width + k] += tree.value[leaf * width + k];
      }
    for (let i = 0; i < out.length; i++) out[i] /= trees.length;
    return out;
  }
}
