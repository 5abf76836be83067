// The agreement statistics of the forest benchmark (lib/analysis/forest-agreement.ts and
// summariseForestBenchmark): pure functions checked on importance vectors whose relation is known.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { agreementMatrix, importanceAgreement, meanImportances, pairwiseAgreement, topFeature, type ImportanceMap } from "../../lib/analysis/forest-agreement";
import { float32MergedColumns, formatForestBenchmark, forestTargetMet, matrixDigest, summariseForestBenchmark, type ForestRun } from "../../lib/analysis/forest-benchmark";
import { WayfinderError } from "../../lib/errors";
import { Rng } from "../../lib/random";

const names = Array.from({ length: 60 }, (_, i) => `p${String(i).padStart(2, "0")}`);
const map = (values: number[]): ImportanceMap => new Map(names.map((n, i) => [n, values[i]!]));

test("agreement of two importance lists is Spearman over the same features, whatever their order", () => {
  const a = map(names.map((_, i) => i));
  const reversed = new Map([...map(names.map((_, i) => -i))].reverse());
  assert.equal(importanceAgreement(a, a), 1);
  assert.equal(importanceAgreement(a, reversed), -1);
  const other = new Map(a);
  other.delete("p07");
  other.set("q", 1);
  assert.throws(() => importanceAgreement(a, other), (e: Error) => e instanceof WayfinderError && /different features \(p07; 60 vs 60\); the encodings differ/.test(e.message));
  assert.deepEqual(agreementMatrix([a, reversed], [a]), [[1], [-1]]);
  assert.deepEqual(pairwiseAgreement([a, a, reversed]), [1, -1, -1]);
  assert.equal(topFeature(a), "p59");
});

test("meanImportances averages feature by feature and refuses runs over other features", () => {
  const m = meanImportances([map(names.map(() => 1)), map(names.map((_, i) => i))]);
  assert.equal(m.get("p00"), 0.5);
  assert.equal(m.get("p59"), 30);
  assert.throws(() => meanImportances([map(names.map(() => 1)), new Map([["x", 1]])]), /run 1 has other features than run 0 \(1 vs 60\)/);
  assert.throws(() => meanImportances([]), /at least one run/);
});

/** Forest-like runs: a true importance per feature (one dominant, the rest small) plus per-forest noise. */
function runs(truth: number[], seeds: number[], noise: number): ForestRun[] {
  return seeds.map((seed) => {
    const rng = new Rng(1000 + seed);
    return { seed, fitCpuSeconds: 10 + seed, importances: map(truth.map((t) => Math.max(0, t + rng.normal() * noise))), inputDigest: "d" };
  });
}

test("averaging forests per side recovers the agreement that single noisy forests hide; a different estimate is caught", () => {
  const rng = new Rng(5);
  const truth = names.map((_, i) => (i === 0 ? 0.3 : 0.005 + 0.01 * rng.next()));
  const base = { rows: 100, columns: names.length, trees: 100, float32MergedColumns: ["p03"] };
  const b = summariseForestBenchmark({ ...base, ours: runs(truth, [0, 1, 2], 0.0025), oursOther: runs(truth, [3, 4, 5], 0.0025), sklearn: runs(truth, [10, 11, 12], 0.0025), sklearnOther: runs(truth, [20, 21, 22], 0.0025) });
  assert.equal(b.matrix.length, 3);
  assert.equal(b.matrix[0]!.length, 3);
  assert.equal(b.sklearnPairs.length, 3);
  const single = b.matrix.flat().reduce((x, y) => x + y, 0) / 9;
  assert.ok(single < 0.8, `single noisy forests agree only partly: ${single}`);
  assert.ok(b.averaged > single + 0.05, `averages agree better (${b.averaged}) than single forests (${single})`);
  assert.equal(b.topAveraged.ours, "p00");
  assert.equal(forestTargetMet(b), b.averaged >= 0.8);
  // An implementation that estimates other importances (the small ones shuffled among features) keeps
  // the same top feature but fails on the averaged statistic, while the ceiling stays high.
  const shuffled = [truth[0]!, ...new Rng(9).shuffle(truth.slice(1))];
  const w = summariseForestBenchmark({ ...base, ours: runs(shuffled, [0, 1, 2], 0.0025), oursOther: runs(shuffled, [30, 31, 32], 0.0025), sklearn: runs(truth, [10, 11, 12], 0.0025), sklearnOther: runs(truth, [20, 21, 22], 0.0025) });
  assert.ok(w.averaged < 0.5 && w.averagedCeiling > 0.75, `shuffled ${w.averaged}, ceiling ${w.averagedCeiling}`);
  assert.equal(forestTargetMet(w), false);

  const text = formatForestBenchmark(b, "wayfinder importance --benchmark --seeds 0,1,2", "Machine: test.");
  assert.match(text, /^Command: `wayfinder importance --benchmark --seeds 0,1,2`$/m);
  assert.match(text, /^\| ours 0 \| -?\d\.\d{3} \| -?\d\.\d{3} \| -?\d\.\d{3} \|$/m);
  assert.match(text, new RegExp(`seeds 10,11,12: \\*\\*${b.averaged.toFixed(3)}\\*\\*`));
  assert.match(text, /CPU time ratio \(ours \/ scikit-learn, fit only\): \*\*0\.48\*\*/, "mean of 10-15 s against the mean of 20-22 and 30-32 s");
  assert.ok(b.averagedOursCeiling > 0.75, `our own two groups agree: ${b.averagedOursCeiling}`);
  assert.ok(w.averagedOursCeiling > 0.75, "a consistent but different estimate agrees with itself");
  assert.match(formatForestBenchmark(w, "c", "m"), /Target NOT met\./);
  assert.match(text, /^Inputs: every fit on both sides got the same matrix and target/m);
  assert.match(text, /float32 copies of the features: in 1 column\(s\) \(p03\)/);
  // a scikit-learn fit on another matrix is called out
  const other = runs(truth, [20, 21, 22], 0.0025);
  other[1] = { ...other[1]!, inputDigest: "e" };
  const d = summariseForestBenchmark({ ...base, ours: runs(truth, [0, 1, 2], 0.0025), oursOther: runs(truth, [30, 31, 32], 0.0025), sklearn: runs(truth, [10, 11, 12], 0.0025), sklearnOther: other });
  assert.equal(d.sameInputs, false);
  assert.match(formatForestBenchmark(d, "c", "m"), /the two sides were NOT fitted on the same matrix and target/);
});

test("the input digest is numpy's: SHA-256 of X row-major float64, then y; float32 merges are found", (t) => {
  const columns = [Float64Array.from([1, 2.5, -3]), Float64Array.from([16777217, 16777216, 1e300])];
  const y = [0.1, 0.2, 0.3];
  assert.deepEqual(float32MergedColumns(["a", "b"], columns), ["b"], "2^24 + 1 and 2^24 are one float32");
  const py = spawnSync("/usr/bin/python3", ["-c", [
    "import hashlib, numpy as np",
    "X = np.array([[1, 16777217], [2.5, 16777216], [-3, 1e300]], dtype=float); y = np.array([0.1, 0.2, 0.3])",
    "h = hashlib.sha256(np.ascontiguousarray(X, dtype='<f8').tobytes()); h.update(np.ascontiguousarray(y, dtype='<f8').tobytes()); print(h.hexdigest())",
  ].join("\n")], { encoding: "utf8" });
  if (py.status !== 0) return t.skip(`numpy is not importable by /usr/bin/python3: ${py.stderr.trim().split("\n").pop()}`);
  assert.equal(matrixDigest(columns, y), py.stdout.trim());
  assert.notEqual(matrixDigest([columns[1]!, columns[0]!], y), py.stdout.trim(), "column order matters");
});

test("wayfinder importance --benchmark needs two different seeds", () => {
  const root = join(import.meta.dirname, "../..");
  const r = spawnSync(process.execPath, [join(root, "bin/wayfinder.js"), "importance", "--benchmark", "--seeds", "3"], { encoding: "utf8", cwd: root, timeout: 60_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--seeds "3": give at least 2 different seeds/);
});
