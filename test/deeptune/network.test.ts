import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/deeptune/backend";
import { DeepTuneNetwork, type NetworkConfig } from "../../lib/deeptune/deeptune-network";
import { DeepTuneModel } from "../../lib/deeptune/deeptune-model";
import { scoreCandidates } from "../../lib/deeptune/score-candidates";
import { WayfinderError } from "../../lib/errors";

const small: Omit<NetworkConfig, "inputDim"> = { hidden: [32, 32], dropout: 0.1, rbfUnits: 16, latentDim: 4, gamma: 0.3, learningRate: 0.01, weightDecay: 0, wideDecay: 0, seed: 1 };

test("backend: wasm is chosen here (tfjs-node is not installed) and the choice is reported", async () => {
  const b = await initBackend();
  assert.equal(tf.getBackend(), b.name);
  assert.equal(b.name, "wasm", `expected the wasm backend, got ${b.name}: ${b.notes.join("; ")}`);
  assert.ok(b.notes.some((n) => n.includes("tfjs-node")), "says why tfjs-node is not used");
  await assert.rejects(async () => initBackend("gpu"), WayfinderError);
});

test("1-D toy: sigma is low near the training points, high far from them, and the score prefers unexplored x", async () => {
  await initBackend();
  const xs = Array.from({ length: 40 }, (_, i) => -2 + (2.2 * i) / 39); // training data on [-2, 0.2]
  const net = DeepTuneNetwork.create({ ...small, inputDim: 1 });
  const data = { x: Float32Array.from(xs), rows: xs.length, crashed: xs.map(() => 0), y: xs.map((x) => Math.sin(3 * x)) };
  for (let it = 0; it < 20; it++) net.update(data, 20, 32);
  const near = [-1.5, -1, -0.5, 0];
  const far = [1.5, 2, 3, -4];
  const p = net.predict(Float32Array.from([...near, ...far]), 8);
  const sNear = Array.from(p.sigma.slice(0, 4));
  const sFar = Array.from(p.sigma.slice(4));
  assert.ok(Math.max(...sNear) < 0.5, `sigma near the data ${sNear}`);
  assert.ok(Math.min(...sFar) > 0.9, `sigma far from the data ${sFar}`);
  // The fit itself means something: mean absolute error on the training range is small.
  const fit = net.predict(Float32Array.from(near), 4);
  const mae = near.reduce((s, x, i) => s + Math.abs(fit.mean[i] - Math.sin(3 * x)), 0) / near.length;
  assert.ok(mae < 0.35, `mean absolute error on the training range ${mae} (predicting 0 gives 0.53)`);
  // Pure exploration (beta = 1): the best-scored candidate is one of the far ones; nearestSq is the
  // squared distance to the nearest training x.
  const cand = [...near, ...far];
  const nearestSq = cand.map((c) => Math.min(...xs.map((x) => (x - c) ** 2)));
  const acq = scoreCandidates({ crashProbability: p.crashProbability, goodness: p.mean, sigma: p.sigma, nearestSq }, { alpha: 0.5, beta: 1, crashCap: 1 });
  const best = acq.indexOf(Math.max(...acq));
  assert.ok(best >= 4, `exploration picked x=${cand[best]}`);
  net.dispose();
});

test("no tensor leaks across update/predict iterations", async () => {
  await initBackend();
  const d = 20, n = 100;
  const x = Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 0.37));
  const data = { x, rows: n, crashed: Array.from({ length: n }, (_, i) => i % 4 === 0), y: Array.from({ length: n }, (_, i) => Math.cos(i)) };
  const net = DeepTuneNetwork.create({ ...small, inputDim: d });
  net.update(data, 2, 16, [n - 1]); // creates the optimizer's slots
  net.predict(x, n);
  const before = tf.memory().numTensors;
  for (let it = 0; it < 5; it++) {
    net.update(data, 3, 16, [it]);
    net.predict(x, n, 32);
  }
  assert.equal(tf.memory().numTensors, before);
  net.dispose();
});

test("save and load: same predictions; custom layer restored; corrupt or incompatible directories are clear errors", async () => {
  await initBackend();
  const dir = mkdtempSync(join(tmpdir(), "dt-model-"));
  try {
    const cols = ["A", "B=x", "B=y"];
    const m = DeepTuneModel.create(small, cols, ["A", "B", "B"], "max");
    const x = Float32Array.from([0.1, 1, 0, -1, 0, 1, 2, 1, 0]);
    m.train({ x, rows: 3, crashed: [0, 1, 0], values: [10, NaN, 30] }, 5, 3);
    const before = m.predict(x, 3);
    m.save(dir);
    const loaded = await DeepTuneModel.load(dir);
    const after = loaded.predict(x, 3);
    assert.deepEqual(Array.from(after.sigma), Array.from(before.sigma));
    assert.deepEqual(Array.from(after.value), Array.from(before.value));
    assert.deepEqual(loaded.columns, cols);
    assert.equal(loaded.network.rbfLayers.length, 2);
    loaded.dispose();
    m.dispose();

    const bin = readFileSync(join(dir, "weights.bin"));
    writeFileSync(join(dir, "weights.bin"), bin.subarray(0, bin.length - 8));
    await assert.rejects(DeepTuneModel.load(dir), (e: Error) => e instanceof WayfinderError && /corrupt weights file/.test(e.message));
    writeFileSync(join(dir, "weights.bin"), bin);
    const json = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
    writeFileSync(join(dir, "model.json"), JSON.stringify({ ...json, version: 99 }));
    await assert.rejects(DeepTuneModel.load(dir), (e: Error) => e instanceof WayfinderError && /version 99 is not supported/.test(e.message));
    await assert.rejects(DeepTuneModel.load(join(dir, "nope")), (e: Error) => e instanceof WayfinderError && /no model.json/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bad hyperparameters are clear errors", () => {
  assert.throws(() => DeepTuneNetwork.create({ ...small, inputDim: 3, gamma: 0 }), /gamma must be a number > 0, got 0/);
  assert.throws(() => DeepTuneNetwork.create({ ...small, inputDim: 3, dropout: 1 }), /dropout must be in \[0, 1\)/);
});

test("transfer: rows of the first kernel and RBF projection follow the column names; other layers are copied", async () => {
  await initBackend();
  // More columns than centroids and than hidden units, so a row/column mix-up cannot go unnoticed.
  const srcCols = Array.from({ length: 40 }, (_, i) => `P${i}`);
  const src = DeepTuneModel.create({ ...small, rbfUnits: 4, hidden: [8, 8] }, srcCols, srcCols, "max");
  const dstCols = ["NEW", "P7", "P0", ...Array.from({ length: 45 }, (_, i) => `Q${i}`)];
  const { model: dst, matched } = src.transferTo(dstCols, dstCols, "min", { seed: 9 });
  assert.equal(matched, 2);
  const row = (m: DeepTuneModel, layer: string, weight: RegExp, r: number) => {
    const w = m.network.model.getLayer(layer).weights.find((x) => weight.test(x.originalName))!.read();
    const width = w.shape[1] as number;
    return Array.from((w.dataSync() as Float32Array).slice(r * width, r * width + width));
  };
  assert.deepEqual(row(dst, "dt_dense_0", /kernel$/, 1), row(src, "dt_dense_0", /kernel$/, 7));
  assert.deepEqual(row(dst, "dt_dense_0", /kernel$/, 2), row(src, "dt_dense_0", /kernel$/, 0));
  assert.deepEqual(row(dst, "dt_rbf_0", /projection$/, 1), row(src, "dt_rbf_0", /projection$/, 7));
  assert.deepEqual(row(dst, "dt_dense_1", /kernel$/, 3), row(src, "dt_dense_1", /kernel$/, 3));
  assert.deepEqual(row(dst, "dt_rbf_0", /centroids$/, 2), row(src, "dt_rbf_0", /centroids$/, 2));
  assert.equal(dst.target.direction, "min");
  src.dispose();
  dst.dispose();
});

test("transfer scope crash: only the wide (crash) path follows the column names; the deep layers start fresh", async () => {
  await initBackend();
  const srcCols = Array.from({ length: 40 }, (_, i) => `P${i}`);
  const src = DeepTuneModel.create({ ...small, rbfUnits: 4, hidden: [8, 8] }, srcCols, srcCols, "max");
  // Give the source's wide kernel distinct rows (it starts at zero).
  const wide = src.network.model.getLayer("dt_wide");
  const w = tf.tensor2d(Array.from({ length: 40 * 3 }, (_, i) => i + 1), [40, 3]);
  wide.setWeights([w]);
  w.dispose();
  const dstCols = ["NEW", "P7", "P0"];
  const row = (m: DeepTuneModel, layer: string, weight: RegExp, r: number) => {
    const t = m.network.model.getLayer(layer).weights.find((x) => weight.test(x.originalName))!.read();
    const width = t.shape[1] as number;
    return Array.from((t.dataSync() as Float32Array).slice(r * width, r * width + width));
  };
  const { model: crashOnly } = src.transferTo(dstCols, dstCols, "max", { seed: 9, scope: "crash" });
  const { model: all } = src.transferTo(dstCols, dstCols, "max", { seed: 9, scope: "all" });
  const fresh = DeepTuneModel.create({ ...small, rbfUnits: 4, hidden: [8, 8], seed: 9 }, dstCols, dstCols, "max");
  assert.deepEqual(row(crashOnly, "dt_wide", /kernel$/, 1), [22, 23, 24], "wide row of P7 copied");
  assert.deepEqual(row(crashOnly, "dt_wide", /kernel$/, 2), [1, 2, 3], "wide row of P0 copied");
  assert.deepEqual(row(crashOnly, "dt_wide", /kernel$/, 0), [0, 0, 0], "a new column starts at zero");
  for (const [layer, weight] of [["dt_dense_1", /kernel$/], ["dt_head", /kernel$/], ["dt_rbf_0", /centroids$/]] as const) {
    assert.deepEqual(row(crashOnly, layer, weight, 1), row(fresh, layer, weight, 1), `${layer} as freshly initialised`);
    assert.deepEqual(row(all, layer, weight, 1), row(src, layer, weight, 1), `${layer} copied by scope all`);
  }
  assert.deepEqual(row(crashOnly, "dt_dense_0", /kernel$/, 1), row(fresh, "dt_dense_0", /kernel$/, 1));
  for (const m of [src, crashOnly, all, fresh]) m.dispose();
});

test("transfer: the penalties of a transferred model pull towards the source weights, so a crash effect the target data never shows is kept", async () => {
  await initBackend();
  const cols = ["RISKY", "A", "B", "C", "D", "E"];
  const d = cols.length;
  const rows = 200;
  // Source: crash iff RISKY = 1; performance from A.
  const sx = new Float32Array(rows * d), sc = new Uint8Array(rows), sv = new Float64Array(rows);
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < d; j++) sx[r * d + j] = j === 0 ? (rand() < 0.5 ? 1 : 0) : rand() * 2 - 1;
    sc[r] = sx[r * d];
    sv[r] = sx[r * d + 1];
  }
  const config = { ...small, weightDecay: 0.02, wideDecay: 0.02 };
  const src = DeepTuneModel.create(config, cols, cols, "max");
  src.train({ x: sx, rows, crashed: sc, values: sv }, 300, 64);
  // Target: only safe rows (RISKY = 0), none crashes, so its data says nothing about RISKY.
  const tx = sx.slice(), tc = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) tx[r * d] = 0;
  const probe = new Float32Array(2 * d);
  probe[0] = 1; // RISKY = 1, the rest 0
  const gap = (m: DeepTuneModel) => {
    const p = m.predict(probe, 2).crashProbability;
    return p[0] - p[1];
  };
  const before = gap(src);
  assert.ok(before > 0.5, `the source learned the crash effect (gap ${before.toFixed(3)})`);
  const anchored = src.transferTo(cols, cols, "max", { seed: 3 }).model;
  const plain = src.transferTo(cols, cols, "max", { seed: 3 }).model;
  plain.network.anchorAtCurrentWeights(cols.map(() => false)); // penalty towards zero, as without transfer
  for (const m of [anchored, plain]) m.train({ x: tx, rows, crashed: tc, values: sv }, 300, 64);
  const kept = gap(anchored), lost = gap(plain);
  assert.ok(kept > 0.5 * before, `anchored at the source: crash gap ${kept.toFixed(3)} of ${before.toFixed(3)} kept`);
  assert.ok(lost < kept - 0.1, `penalised towards zero the effect fades (gap ${lost.toFixed(3)} vs ${kept.toFixed(3)})`);
  assert.throws(() => anchored.network.anchorAtCurrentWeights([true]), /1 flags for 6 input columns/);
  for (const m of [src, anchored, plain]) m.dispose();
});
