/**
 * Our trees against scikit-learn's, where both are deterministic: one tree on the same rows with the same
 * integer sample weights (a bootstrap sample's counts), all features per split, depth-limited so that nodes stay large
 * and no two features tie (ties are broken at random on both sides, so deep nodes of few rows, where two
 * features often cut the rows the same way, would differ by chance). Then the tree's impurity importances, its
 * node count and its predictions must match scikit-learn's to rounding, which checks the split search
 * (thresholds halfway between values, exact for wide columns), the weighting of the impurity decrease by
 * the node's weighted size and the normalisation. Run by Debian's /usr/bin/python3 (python3-sklearn).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { binMatrix, type FeatureMatrix } from "../../lib/analysis/binned-matrix";
import { growTree, leafOf, TreeScratch, type Tree } from "../../lib/analysis/decision-tree";
import { RandomForest } from "../../lib/analysis/random-forest";
import { Rng } from "../../lib/random";

const python = "/usr/bin/python3";
const sklearnMissing = (() => {
  const r = spawnSync(python, ["-c", "import sklearn"], { encoding: "utf8" });
  return r.status === 0 ? "" : `scikit-learn is not importable by ${python} (Debian python3-sklearn): ${r.error?.message ?? r.stderr.trim().split("\n").pop()}`;
})();

// Fits one scikit-learn tree on the JSON it reads and prints what the test compares.
const sklearnTree = `
import json, sys
import numpy as np
from sklearn.tree import DecisionTreeRegressor, DecisionTreeClassifier
d = json.load(sys.stdin)
X = np.array(d["X"], dtype=float); y = np.array(d["y"], dtype=float); w = np.array(d["w"], dtype=float)
Tree = DecisionTreeClassifier if d["task"] == "classification" else DecisionTreeRegressor
t = Tree(max_depth=d["maxDepth"], random_state=0).fit(X, y, sample_weight=w)
pred = t.predict_proba(X)[:, 1] if d["task"] == "classification" else t.predict(X)
json.dump({"importances": t.feature_importances_.tolist(), "nodes": int(t.tree_.node_count), "predictions": pred.tolist()}, sys.stdout)
`;

function sklearn(matrix: FeatureMatrix, y: Float64Array, w: Float64Array, task: string, maxDepth: number | null) {
  const n = y.length;
  const X = Array.from({ length: n }, (_, i) => matrix.columns.map((c) => c[i]));
  const r = spawnSync(python, ["-c", sklearnTree], {
    input: JSON.stringify({ X, y: [...y], w: [...w], task, maxDepth }),
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { importances: number[]; nodes: number; predictions: number[] };
}

/**
 * Rows with two wide integer columns (more than 256 distinct values, all exact in float32 as scikit-learn
 * needs), a binary and a five-level column, and noise columns; y depends on the first four.
 */
function data(n: number, seed: number) {
  const rng = new Rng(seed);
  const cols = Array.from({ length: 7 }, () => new Float64Array(n));
  const y = new Float64Array(n);
  const label = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    cols[0][i] = rng.int(0, 1_000_000);
    cols[1][i] = rng.int(-50_000, 50_000);
    cols[2][i] = rng.int(0, 1);
    cols[3][i] = rng.int(0, 4);
    for (let f = 4; f < 7; f++) cols[f][i] = rng.int(0, 1000);
    y[i] = Math.round(cols[0][i] / 100 + (cols[1][i] > 10_000 ? 3000 : 0) + 700 * cols[2][i] + 150 * cols[3][i] + rng.normal() * 200);
    label[i] = cols[0][i] + 20 * cols[1][i] + 300_000 * cols[2][i] + rng.normal() * 100_000 > 600_000 ? 1 : 0;
  }
  // bootstrap counts: n draws with replacement, rows never drawn have weight 0
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[rng.int(0, n - 1)]++;
  return { matrix: { names: cols.map((_, f) => `x${f}`), columns: cols }, y, label, w };
}

function ourTree(matrix: FeatureMatrix, y: Float64Array, w: Float64Array, classes: number, maxDepth: number) {
  const binned = binMatrix(matrix);
  const p = binned.codes.length;
  const scratch = new TreeScratch(y.length, p, classes, Math.max(...binned.bins));
  const tree = growTree(binned, y, w, { maxFeatures: p, maxDepth, minSamplesSplit: 2, minSamplesLeaf: 1, classes }, new Rng(1), scratch);
  const sum = tree.importance.reduce((a, b) => a + b, 0);
  const importances = [...tree.importance].map((x) => x / sum);
  const width = Math.max(1, classes);
  const predictions = [...y].map((_, i) => tree.value[leafOf(tree, binned.codes, i) * width + (classes ? 1 : 0)]);
  return { tree, importances, predictions, bins: binned.bins };
}

function assertClose(ours: number[], theirs: number[], tolerance: number, what: string) {
  assert.equal(ours.length, theirs.length, `${what}: lengths`);
  const worst = Math.max(...ours.map((x, i) => Math.abs(x - theirs[i])));
  assert.ok(worst <= tolerance, `${what} differ from scikit-learn's by up to ${worst}:\nours   ${ours.map((x) => x.toFixed(6))}\ntheirs ${theirs.map((x) => x.toFixed(6))}`);
}

test("a regression tree on bootstrap weights matches scikit-learn's DecisionTreeRegressor", (t) => {
  if (sklearnMissing) return t.skip(sklearnMissing);
  const { matrix, y, w } = data(2000, 11);
  for (const depth of [3, 5]) {
    const ours = ourTree(matrix, y, w, 0, depth);
    assert.ok(ours.bins[0] > 256 && ours.bins[1] > 256, `the wide columns keep every distinct value: ${ours.bins[0]}, ${ours.bins[1]} bins`);
    const theirs = sklearn(matrix, y, w, "regression", depth);
    assert.equal(ours.tree.feature.length, theirs.nodes, `depth ${depth}: node count`);
    assertClose(ours.importances, theirs.importances, 1e-9, `depth ${depth}: importances`);
    assertClose(ours.predictions, theirs.predictions, 1e-6, `depth ${depth}: predictions`);
  }
});

test("a classification tree on bootstrap weights matches scikit-learn's DecisionTreeClassifier", (t) => {
  if (sklearnMissing) return t.skip(sklearnMissing);
  const { matrix, label, w } = data(2000, 12);
  const ours = ourTree(matrix, label, w, 2, 4);
  const theirs = sklearn(matrix, label, w, "classification", 4);
  assert.equal(ours.tree.feature.length, theirs.nodes, "node count");
  assertClose(ours.importances, theirs.importances, 1e-9, "importances");
  assertClose(ours.predictions, theirs.predictions, 1e-9, "class-1 probabilities");
});

test("coarse bins (maxBins 256) do not reproduce scikit-learn's tree on wide columns, exact bins do", (t) => {
  if (sklearnMissing) return t.skip(sklearnMissing);
  // the check above would pass vacuously if the wide columns did not matter: show that they do
  const { matrix, y, w } = data(2000, 11);
  const theirs = sklearn(matrix, y, w, "regression", 5);
  const binned = binMatrix(matrix, 256);
  const scratch = new TreeScratch(y.length, 7, 0, 256);
  const coarse = growTree(binned, y, w, { maxFeatures: 7, maxDepth: 5, minSamplesSplit: 2, minSamplesLeaf: 1, classes: 0 }, new Rng(1), scratch);
  const predictions = [...y].map((_, i) => coarse.value[leafOf(coarse, binned.codes, i)]);
  const worst = Math.max(...predictions.map((x, i) => Math.abs(x - theirs.predictions[i])));
  assert.ok(worst > 1, `256 bins should move some predictions, worst difference ${worst}`);
});

test("an impure node splits even when no split improves it, as in scikit-learn, and adds no importance", (t) => {
  // x separates nothing: both halves hold one row of each label, so the root's best split gains 0
  const matrix = { names: ["x", "z"], columns: [Float64Array.from([0, 0, 1, 1]), Float64Array.from([5, 5, 5, 5])] };
  const y = Float64Array.from([0, 1, 0, 1]);
  const w = Float64Array.from([1, 1, 1, 1]);
  for (const classes of [0, 2]) {
    const ours = ourTree(matrix, y, w, classes, 10);
    assert.deepEqual([...ours.tree.feature], [0, -1, -1], `classes ${classes}: the root splits on x, its children are leaves`);
    assert.deepEqual([...ours.tree.importance], [0, 0]);
    if (!sklearnMissing) assert.equal(sklearn(matrix, y, w, classes ? "classification" : "regression", null).nodes, 3);
  }
  // a forest of such trees: every tree counts (as zeros), nothing is divided by zero
  const forest = new RandomForest({ trees: 5, seed: 1, bootstrap: false }).fit(matrix, y);
  assert.deepEqual([...forest.featureImportances()], [0, 0]);
  if (sklearnMissing) t.diagnostic(`scikit-learn part skipped: ${sklearnMissing}`);
});
