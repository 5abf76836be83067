/**
 * The sparse crash model: its FISTA fit reaches scikit-learn's L1 logistic regression (same objective,
 * unpenalised intercept), it finds the one column crashes depend on among many noise columns where an
 * unregularised fit would not, and it is saved, loaded and transferred by column name with the model.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/deeptune/backend";
import { DeepTuneModel } from "../../lib/deeptune/deeptune-model";
import type { NetworkConfig } from "../../lib/deeptune/deeptune-network";
import { SparseCrashModel, wrapPenaltyFactors } from "../../lib/deeptune/sparse-crash-model";
import { WayfinderError } from "../../lib/errors";
import { Rng } from "../../lib/random";

const python = "/usr/bin/python3";

/**
 * Rows of `noise` standard-normal columns plus a 0/1 column at index `signal`: rows with it set never
 * crash, the others crash with probability 1/2 (the shape of the Linux pools' ICMP_RATELIMIT effect).
 */
function crashData(rows: number, width: number, signal: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Float32Array(rows * width);
  const crashed = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < width; j++) x[i * width + j] = j === signal ? (rng.next() < 0.5 ? 1 : 0) : rng.normal();
    crashed[i] = x[i * width + signal] === 1 ? 0 : rng.next() < 0.5 ? 1 : 0;
  }
  return { x, crashed };
}

test("sparse crash model: the FISTA fit reaches scikit-learn's L1 logistic regression (saga, C = 1 / l1)", (t) => {
  const sk = spawnSync(python, ["-c", "import sklearn"], { encoding: "utf8" });
  if (sk.status !== 0) return t.skip(`scikit-learn is not importable by ${python} (Debian python3-sklearn): ${sk.stderr.trim().split("\n").pop()}`);
  const rows = 80, width = 30, l1 = 4;
  const { x, crashed } = crashData(rows, width, 7, 3);
  const m = new SparseCrashModel(width, l1);
  for (let i = 0; i < 40; i++) m.fit(x, rows, crashed); // cold fit, then warm refits to convergence
  const X = Array.from({ length: rows }, (_, i) => Array.from(x.subarray(i * width, (i + 1) * width)));
  const r = spawnSync(python, ["-c", `
import json, sys, warnings
import numpy as np
from sklearn.linear_model import LogisticRegression
warnings.filterwarnings("ignore")
d = json.load(sys.stdin)
m = LogisticRegression(penalty="l1", C=1 / d["l1"], solver="saga", tol=1e-10, max_iter=100000).fit(np.array(d["X"]), np.array(d["y"]))
json.dump({"w": m.coef_[0].tolist(), "b": float(m.intercept_[0])}, sys.stdout)
`], { input: JSON.stringify({ X, y: Array.from(crashed), l1 }), encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as { w: number[]; b: number };
  const ours = Array.from(m.w);
  const worst = Math.max(...ours.map((w, j) => Math.abs(w - ref.w[j])));
  assert.ok(worst < 2e-3, `largest weight difference ${worst}: ours ${ours.map((w) => w.toFixed(3))} vs scikit-learn ${ref.w.map((w) => w.toFixed(3))}`);
  assert.ok(Math.abs(m.b - ref.b) < 2e-3, `intercept ${m.b} vs ${ref.b}`);
  // The same zero pattern (the point of an L1 fit).
  assert.deepEqual(ours.map((w) => w !== 0), ref.w.map((w) => Math.abs(w) > 1e-6));
});

test("sparse crash model: finds the one column crashes depend on among 300 noise columns from 60 rows", () => {
  const rows = 60, width = 301, signal = 123;
  const { x, crashed } = crashData(rows, width, signal, 11);
  const m = new SparseCrashModel(width, 4);
  m.fit(x, rows, crashed);
  const picked = m.selected();
  assert.equal(picked[0]?.column, signal, `strongest column ${picked[0]?.column}, expected ${signal}`);
  assert.ok(picked[0].weight < 0, "the signal column lowers the crash logit");
  assert.ok(picked.length <= 30, `${picked.length} non-zero weights of 301: L1 keeps few columns`);
  // On fresh rows, the predicted crash probability separates the safe half from the other.
  const fresh = crashData(400, width, signal, 12);
  const e = m.probability(fresh.x, 400);
  let safe = 0, safeN = 0, other = 0, otherN = 0;
  for (let i = 0; i < 400; i++) {
    if (fresh.x[i * width + signal] === 1) { safe += e[i]; safeN++; } else { other += e[i]; otherN++; }
  }
  assert.ok(safe / safeN < other / otherN - 0.2, `mean crash probability ${safe / safeN} (safe rows) vs ${other / otherN} (others)`);
});

test("sparse crash model: with a prior on the 32-bit wrap columns it finds an overflow cause from 30 rows, where without it does not", () => {
  // 300 columns, 25 of them 0/1 wrap columns (NAME#neg32); crashes hinge on one wrap column as in the
  // Linux pools. The other wrap columns are coin flips, so the prior has to pick the right one among them.
  const width = 300, rows = 30;
  const wraps = Array.from({ length: 25 }, (_, k) => 10 + k * 11);
  const signal = wraps[12];
  const names = Array.from({ length: width }, (_, j) => (wraps.includes(j) ? `P${j}#neg32` : `P${j}`));
  const factors = wrapPenaltyFactors(names, 0.25)!;
  let without = 0, withPrior = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const rng = new Rng(seed);
    const x = new Float32Array(rows * width);
    const crashed = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < width; j++) x[i * width + j] = wraps.includes(j) ? (rng.next() < 0.5 ? 1 : 0) : rng.normal();
      crashed[i] = x[i * width + signal] === 1 ? 0 : rng.next() < 0.5 ? 1 : 0;
    }
    const plain = new SparseCrashModel(width, 4);
    plain.fit(x, rows, crashed);
    const prior = new SparseCrashModel(width, 4, factors);
    prior.fit(x, rows, crashed);
    if (plain.selected()[0]?.column === signal) without++;
    if (prior.selected()[0]?.column === signal) withPrior++;
  }
  // Measured: 0 of 20 without the prior, 17 of 20 with it (at 40 rows: 1 and 20).
  assert.ok(without <= 3, `without the prior the cause is the strongest column in ${without} of 20 samples of 30 rows`);
  assert.ok(withPrior >= 14, `with the prior the cause is the strongest column in only ${withPrior} of 20 samples of 30 rows`);
});

test("sparse crash model: wrap penalty factors apply to NAME#neg32 columns only; bad factors are refused", () => {
  assert.deepEqual(Array.from(wrapPenaltyFactors(["A", "B#neg32", "C#rank"], 0.25)!), [1, 0.25, 1]);
  assert.equal(wrapPenaltyFactors(["A", "B#neg32"], 1), null, "factor 1 is no prior");
  assert.equal(wrapPenaltyFactors(["A", "B"], 0.25), null, "no wrap column, no factors");
  assert.throws(() => new SparseCrashModel(3, 4, [1, 1]), /2 penalty factors for 3 columns/);
  assert.throws(() => new SparseCrashModel(2, 4, [1, 0]), /penalty factor of column 1 is 0; expected a number > 0/);
});

test("sparse crash model: not fitted before the history holds a crash and a success; bad settings are refused", () => {
  const m = new SparseCrashModel(3, 4);
  m.fit(Float32Array.from([1, 0, 0, 0, 1, 0]), 2, [0, 0]);
  assert.equal(m.fitted, false);
  assert.throws(() => new SparseCrashModel(3, 0), /l1 must be a number > 0, got 0/);
  assert.throws(() => new SparseCrashModel(3, 4).fit(new Float32Array(5), 2, [0, 1]), /2 rows of width 3 need 6 values, got 5/);
});

const small: Omit<NetworkConfig, "inputDim"> = { hidden: [8, 8], dropout: 0, rbfUnits: 4, latentDim: 2, gamma: 0.5, learningRate: 0.01, weightDecay: 0, wideDecay: 0, seed: 1 };

test("sparse crash model: saved and loaded with the model, moved by column name in transfer, corrupt state refused", async () => {
  await initBackend();
  const width = 40, signal = 5, rows = 80;
  // One wrap column, so the saved penalty factors are not all 1.
  const cols = Array.from({ length: width }, (_, j) => (j === 7 ? `P${j}#neg32` : `P${j}`));
  const { x, crashed } = crashData(rows, width, signal, 21);
  const src = DeepTuneModel.create(small, cols, cols, "max", 4, 0.25);
  assert.equal(src.sparseCrash!.penalty[7], 0.25);
  src.train({ x, rows, crashed, values: Array.from(crashed, () => 1) }, 5, 32);
  const dir = mkdtempSync(join(tmpdir(), "wf-sparse-"));
  try {
    src.save(dir);
    const loaded = await DeepTuneModel.load(dir);
    assert.deepEqual(Array.from(loaded.sparseCrash!.w), Array.from(src.sparseCrash!.w));
    assert.deepEqual(Array.from(loaded.sparseCrash!.penalty), Array.from(src.sparseCrash!.penalty), "the penalty factors are saved too");
    const p1 = src.predict(x, rows).crashProbability;
    const p2 = loaded.predict(x, rows).crashProbability;
    assert.ok(Array.from(p1).every((p, i) => Math.abs(p - p2[i]) < 1e-6), "the loaded model predicts the same crash probabilities");
    // The model's crash probability is the crashMix mixture of the network's and the sparse model's.
    loaded.crashMix = 0.25;
    const pred = loaded.predict(x, rows);
    for (let i = 0; i < rows; i++)
      assert.ok(Math.abs(pred.crashProbability[i] - (0.25 * pred.networkCrashProbability[i] + 0.75 * pred.sparseCrashProbability![i])) < 1e-6);
    // Transfer to a space whose columns come in another order, with one new column: weights follow names.
    const dstCols = ["NEW", ...[...cols].reverse()];
    const { model: dst } = loaded.transferTo(dstCols, dstCols, "max", { seed: 2, crashL1: 4, wrapPenalty: 0.5 });
    assert.equal(dst.sparseCrash!.w[dstCols.indexOf(`P${signal}`)], src.sparseCrash!.w[signal]);
    assert.equal(dst.sparseCrash!.penalty[dstCols.indexOf("P7#neg32")], 0.5, "the target's own prior applies after transfer");
    assert.equal(dst.sparseCrash!.w[0], 0, "a new column starts at weight 0");
    // A transferred model keeps its crash knowledge while the target history holds no crash yet.
    const noCrash = new Float32Array(2 * (width + 1));
    dst.sparseCrash!.fit(noCrash, 2, [0, 0]);
    assert.equal(dst.sparseCrash!.fitted, true);
    loaded.dispose();
    dst.dispose();
    // A corrupt state is an error naming the file and the field.
    const meta = join(dir, "model.json");
    const json = JSON.parse(readFileSync(meta, "utf8"));
    assert.ok(json.deeptune.sparseCrash, "model.json carries the sparse crash model");
    // A model saved before per-column penalties loads with factor 1 everywhere; a bad list is refused.
    const { penalty: _saved, ...older } = json.deeptune.sparseCrash;
    writeFileSync(meta, JSON.stringify({ ...json, deeptune: { ...json.deeptune, sparseCrash: older } }));
    const old = await DeepTuneModel.load(dir);
    assert.ok(old.sparseCrash!.penalty.every((f) => f === 1));
    old.dispose();
    writeFileSync(meta, JSON.stringify({ ...json, deeptune: { ...json.deeptune, sparseCrash: { ...older, penalty: [1, 0] } } }));
    await assert.rejects(DeepTuneModel.load(dir), (err: Error) => err instanceof WayfinderError && /model\.json: sparseCrash\.penalty must list 40 numbers > 0/.test(err.message));
    json.deeptune.sparseCrash.weights[3] = "oops";
    writeFileSync(meta, JSON.stringify(json));
    await assert.rejects(DeepTuneModel.load(dir), (err: Error) => err instanceof WayfinderError && /model\.json: sparseCrash: weight 3 is oops/.test(err.message));
  } finally {
    src.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
