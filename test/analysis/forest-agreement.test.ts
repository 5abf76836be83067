// The agreement statistics of the forest benchmark (lib/analysis/forest-agreement.ts and
// summariseForestBenchmark): pure functions checked on importance vectors whose relation is known.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { agreementMatrix, importanceAgreement, meanImportances, pairwiseAgreement, topFeature, type ImportanceMap } from "../../lib/analysis/forest-agreement";
import { formatForestBenchmark, forestTargetMet, summariseForestBenchmark, type ForestRun } from "../../lib/analysis/forest-benchmark";
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
    return { seed, fitCpuSeconds: 10 + seed, importances: map(truth.map((t) => Math.max(0, t + rng.normal() * noise))) };
  });
}

test("averaging forests per side recovers the agreement that single noisy forests hide; a different estimate is caught", () => {
  const rng = new Rng(5);
  const truth = names.map((_, i) => (i === 0 ? 0.3 : 0.005 + 0.01 * rng.next()));
  const base = { rows: 100, columns: names.length, trees: 100 };
  const b = summariseForestBenchmark({ ...base, ours: runs(truth, [0, 1, 2], 0.0025), sklearn: runs(truth, [10, 11, 12], 0.0025), sklearnOther: runs(truth, [20, 21, 22], 0.0025) });
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
  const w = summariseForestBenchmark({ ...base, ours: runs(shuffled, [0, 1, 2], 0.0025), sklearn: runs(truth, [10, 11, 12], 0.0025), sklearnOther: runs(truth, [20, 21, 22], 0.0025) });
  assert.ok(w.averaged < 0.5 && w.averagedCeiling > 0.75, `shuffled ${w.averaged}, ceiling ${w.averagedCeiling}`);
  assert.equal(forestTargetMet(w), false);

  const text = formatForestBenchmark(b, "wayfinder importance --benchmark --seeds 0,1,2", "Machine: test.");
  assert.match(text, /^Command: `wayfinder importance --benchmark --seeds 0,1,2`$/m);
  assert.match(text, /^\| ours 0 \| -?\d\.\d{3} \| -?\d\.\d{3} \| -?\d\.\d{3} \|$/m);
  assert.match(text, new RegExp(`seeds 10,11,12: \\*\\*${b.averaged.toFixed(3)}\\*\\*`));
  assert.match(text, /CPU time ratio \(ours \/ scikit-learn, fit only\): \*\*0\.42\*\*/, "11 s against the mean of 20-22 and 30-32 s");
  assert.match(formatForestBenchmark(w, "c", "m"), /Target NOT met\./);
});

test("wayfinder importance --benchmark needs two different seeds", () => {
  const root = join(import.meta.dirname, "../..");
  const r = spawnSync(process.execPath, [join(root, "bin/wayfinder.js"), "importance", "--benchmark", "--seeds", "3"], { encoding: "utf8", cwd: root, timeout: 60_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--seeds "3": give at least 2 different seeds/);
});
