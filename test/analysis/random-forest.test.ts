import { test } from "node:test";
import assert from "node:assert/strict";
import { RandomForest } from "../../lib/analysis/random-forest";
import { binMatrix } from "../../lib/analysis/binned-matrix";
import { WayfinderError } from "../../lib/errors";
import { Rng } from "../../lib/random";

/** y depends on x0 (strongly), x1 (weakly, through a step) and not at all on x2..x9. */
function synthetic(n: number, seed: number) {
  const rng = new Rng(seed);
  const columns = Array.from({ length: 10 }, () => new Float64Array(n));
  const y = new Float64Array(n);
  const label = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < 10; f++) columns[f][i] = f === 2 ? rng.int(0, 3) : rng.next() * 1000;
    y[i] = 5 * columns[0][i] + (columns[1][i] > 500 ? 800 : 0) + rng.normal() * 10;
    label[i] = columns[3][i] > 300 ? 7 : -1;
  }
  return { matrix: { names: columns.map((_, f) => `x${f}`), columns }, y, label };
}

const rank = (v: Float64Array) => [...v].map((x, f) => [f, x]).sort((a, b) => b[1] - a[1]).map(([f]) => f);

test("binning keeps one bin per distinct value (65536 by default) and cuts wider columns at quantiles", () => {
  const few = Float64Array.from([3, 1, 2, 3, 1]);
  const many = Float64Array.from({ length: 1000 }, (_, i) => i * 1.5);
  const b = binMatrix({ names: ["few"], columns: [few] });
  assert.equal(b.bins[0], 3);
  assert.deepEqual([...b.codes[0]], [2, 0, 1, 2, 0]);
  assert.deepEqual([...b.edges[0]], [1.5, 2.5]);
  assert.deepEqual([...b.lows[0]], [1, 2, 3]);
  const exact = binMatrix({ names: ["many"], columns: [many] });
  assert.equal(exact.bins[0], 1000);
  assert.deepEqual([...exact.codes[0]], Array.from({ length: 1000 }, (_, i) => i));
  const w = binMatrix({ names: ["many"], columns: [many] }, 256);
  assert.equal(w.bins[0], 256);
  assert.equal(w.lows[0][1], w.highs[0][0] + 1.5, "a coarse bin starts at the value after the previous bin's last");
  const counts = new Array(256).fill(0);
  for (const c of w.codes[0]) counts[c]++;
  assert.ok(Math.max(...counts) <= 5 && Math.min(...counts) >= 3, `bins should hold ~4 rows each: ${counts}`);
});

test("regression forest ranks the informative features first, by impurity and by permutation", () => {
  const { matrix, y } = synthetic(600, 1);
  const rf = new RandomForest({ trees: 30, seed: 3 }).fit(matrix, y);
  const imp = rf.featureImportances();
  assert.deepEqual(rank(imp).slice(0, 2), [0, 1]);
  assert.ok(Math.abs(imp.reduce((a, b) => a + b, 0) - 1) < 1e-9, "impurity importances sum to 1");
  assert.ok(imp[0] > 0.8, `x0 explains most variance: ${imp[0]}`);
  const perm = rf.permutationImportance();
  assert.deepEqual(rank(perm).slice(0, 2), [0, 1]);
  for (let f = 2; f < 10; f++) assert.ok(Math.abs(perm[f]) < 0.02, `noise feature x${f} has permutation importance ${perm[f]}`);
  // predictions on fresh data from the same process are close
  const fresh = synthetic(200, 2);
  const pred = rf.predict(fresh.matrix);
  let mae = 0;
  for (let i = 0; i < 200; i++) mae += Math.abs(pred[i] - fresh.y[i]) / 200;
  assert.ok(mae < 150, `mean absolute error ${mae} on a target spanning 0..5800`);
});

test("classification forest finds the label's feature and predicts the original labels", () => {
  const { matrix, label } = synthetic(500, 4);
  const rf = new RandomForest({ task: "classification", trees: 30, seed: 1 }).fit(matrix, label);
  assert.deepEqual(rf.classes, [-1, 7]);
  assert.equal(rank(rf.featureImportances())[0], 3);
  assert.equal(rank(rf.permutationImportance())[0], 3);
  const fresh = synthetic(200, 5);
  const pred = rf.predict(fresh.matrix);
  const correct = pred.filter((p, i) => p === fresh.label[i]).length;
  assert.ok(correct >= 190, `${correct}/200 correct`);
  const proba = rf.predictProba(fresh.matrix);
  assert.ok(Math.abs(proba[0] + proba[1] - 1) < 1e-9);
});

test("the same seed gives the same forest, another seed a different one", () => {
  const { matrix, y } = synthetic(300, 7);
  const a = new RandomForest({ trees: 10, seed: 5 }).fit(matrix, y).featureImportances();
  const b = new RandomForest({ trees: 10, seed: 5 }).fit(matrix, y).featureImportances();
  const c = new RandomForest({ trees: 10, seed: 6 }).fit(matrix, y).featureImportances();
  assert.deepEqual([...a], [...b]);
  assert.notDeepEqual([...a], [...c]);
});

test("bad input is a WayfinderError naming the problem", () => {
  const { matrix, y } = synthetic(50, 1);
  assert.throws(() => new RandomForest().featureImportances(), (e: Error) => e instanceof WayfinderError && /not fitted/.test(e.message));
  assert.throws(() => new RandomForest({ trees: 0 }), /trees 0 is invalid/);
  assert.throws(() => new RandomForest({ maxFeatures: 2.5 }), /maxFeatures 2.5 is invalid/);
  assert.throws(() => new RandomForest().fit(matrix, y.slice(1)), /target has 49 values but the matrix has 50 rows/);
  const bad = { names: matrix.names, columns: matrix.columns.map((c) => c.slice()) };
  bad.columns[4][17] = NaN;
  assert.throws(() => new RandomForest().fit(bad, y), /feature "x4" row 17 holds NaN/);
});
