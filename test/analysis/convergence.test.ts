import { test } from "node:test";
import assert from "node:assert/strict";
import * as aq from "arquero";
import {
  centredMovingAverage, convergenceCurves, bestSoFar, randomBaseline, timeToReach, transferSpeedup, featureImportance,
} from "../../lib/analysis";
import type { Dataset } from "../../lib/datasets";

test("centred moving average mirrors the ends and keeps the length", () => {
  const s = centredMovingAverage([1, 2, 3, 4, 5], 3);
  assert.deepEqual(s.map((v) => Number(v.toFixed(4))), [1.6667, 2, 3, 4, 4.3333]);
  assert.deepEqual(centredMovingAverage([7, 7, 7, 7], 100), [7, 7, 7, 7], "a constant stays constant even with a window longer than the series");
  assert.deepEqual(centredMovingAverage([1, 2, 3], 1), [1, 2, 3]);
  assert.throws(() => centredMovingAverage([1, 2], 0), /smoothing window 0 is invalid/);
  assert.throws(() => centredMovingAverage([1, NaN], 3), /value 1 is NaN/);
});

test("convergence curves: crashes count as 0 in the mean, crash rate per iteration, best so far", () => {
  const c = convergenceCurves([
    { label: "a", values: [1, null, 3, 4], seconds: [10, 10, 10, 10] },
    { label: "b", values: [3, 2, null, null], seconds: [20, 20, 20, 20] },
  ]);
  assert.equal(c.iterations, 4);
  assert.deepEqual(c.raw.mean, [2, 1, 1.5, 2]);
  assert.deepEqual(c.raw.std, [1, 1, 1.5, 2]);
  assert.deepEqual(c.raw.crashRate, [0, 0.5, 0.5, 0.5]);
  assert.deepEqual(c.bestSoFar, [2, 2, 3, 3.5]);
  assert.deepEqual(c.time, [15, 30, 45, 60]);
  assert.deepEqual(bestSoFar([null, 5, 3, null], "min"), [null, 5, 3, 3]);
});

test("convergence: mismatched run lengths are cut to the shortest with a note, or refused when more is asked", () => {
  const runs = [
    { label: "long", values: [1, 2, 3, 4] },
    { label: "short", values: [1, 2] },
  ];
  const c = convergenceCurves(runs);
  assert.equal(c.iterations, 2);
  assert.match(c.notes[0], /runs have 4, 2 iterations; the curves cover the first 2/);
  assert.throws(() => convergenceCurves(runs, { iterations: 3 }), /run "short" has 2 iterations, fewer than the 3 asked for/);
  assert.throws(() => convergenceCurves([]), /at least one run/);
});

test("convergence of all-crash runs is zeros with crash rate 1, never NaN", () => {
  const c = convergenceCurves([{ label: "x", values: [null, null, null] }, { label: "y", values: [null, null, null] }], { window: 2 });
  assert.deepEqual(c.smoothed.mean, [0, 0, 0]);
  assert.deepEqual(c.smoothed.crashRate, [1, 1, 1]);
  assert.deepEqual(c.bestSoFar, [null, null, null]);
});

test("time to reach a target and the transfer-learning speed-up", () => {
  const without = timeToReach(
    [
      { label: "a", values: [0.5, 0.9, 1], seconds: [10, 10, 10] },
      { label: "b", values: [0.2, null, 0.3], seconds: [10, 10, 10] },
    ],
    0.95,
  );
  assert.deepEqual(without.perRun, [30, null]);
  assert.equal(without.mean, 30);
  assert.equal(without.reached, 1);
  const withTl = timeToReach([{ label: "c", values: [0.96], seconds: [6] }], 0.95);
  assert.equal(transferSpeedup(without, withTl), 5);
  const iterations = timeToReach([{ label: "d", values: [0, 0, 1] }], 1);
  assert.equal(iterations.unit, "iterations");
  assert.equal(iterations.mean, 3);
  assert.throws(() => transferSpeedup(without, iterations), /cannot compare times in s with times in iterations/);
});

/** A tiny dataset: objective = 10 * a (+ noise from b), crashes where c = "x". */
function tinyDataset(crashAll = false): Dataset {
  const n = 60;
  const a = Array.from({ length: n }, (_, i) => i % 6);
  const b = Array.from({ length: n }, (_, i) => (i * 7) % 5);
  const c = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? "x" : "y"));
  const crashed = c.map((v) => crashAll || v === "x");
  const obj = a.map((v, i) => (crashed[i] ? null : 10 * v + b[i] * 0.1));
  return {
    table: aq.table({ a, b, c, obj, crashed }),
    schema: {
      parameters: [
        { name: "a", kind: "integer", domain: [0, 5], distinct: 6, constant: false },
        { name: "b", kind: "integer", domain: [0, 4], distinct: 5, constant: false },
        { name: "c", kind: "categorical", domain: ["x", "y"], distinct: 2, constant: false },
      ],
      objective: { name: "obj", direction: "max" },
      crashColumn: "crashed",
      timingColumns: [],
      provenance: { source: "tiny.csv", loader: "test", notes: [] },
    },
  };
}

test("feature importance on a dataset: objective on non-crashed rows, crash as classification, per parameter", () => {
  const ds = tinyDataset();
  const obj = featureImportance(ds, { trees: 20 });
  assert.equal(obj.rows, 45);
  assert.equal(obj.importances[0].feature, "a");
  assert.deepEqual(obj.constant, ["c"], "c is constant once crashed rows are left out");
  const crash = featureImportance(ds, { target: "crash", trees: 20 });
  assert.equal(crash.importances[0].feature, "c");
  const cols = featureImportance(ds, { target: "crash", trees: 20, level: "column" });
  assert.ok(cols.importances.some((r) => r.feature === "c=x"), "one-hot columns are named NAME=value");
  const imp = obj.importances.map((r) => r.importance);
  assert.deepEqual(imp, [...imp].sort((x, y) => y - x), "sorted by decreasing importance");
  assert.throws(() => featureImportance(tinyDataset(true)), /tiny.csv: only 0 of 60 rows have a measured objective/);
  assert.throws(() => featureImportance(tinyDataset(true), { target: "crash" }), /all 60 rows crashed; crash importance needs both/);
});

test("random baseline: seeded shuffles of the pool relative to its best, crashes as null", () => {
  const ds = tinyDataset();
  const a = randomBaseline(ds, { runs: 3, iterations: 10, seed: 4 });
  const b = randomBaseline(ds, { runs: 3, iterations: 10, seed: 4 });
  assert.deepEqual(a, b);
  assert.equal(a.length, 3);
  const all = a.flatMap((r) => r.values);
  assert.ok(all.some((v) => v === null));
  assert.ok(all.every((v) => v === null || (v >= 0 && v <= 1)));
  assert.notDeepEqual(a[0].values, a[1].values);
  assert.throws(() => randomBaseline(tinyDataset(true)), /every row crashed/);
  assert.throws(() => randomBaseline(ds, { iterations: 61 }), /the pool has 60 rows/);
});
