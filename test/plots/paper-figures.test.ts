// The numbers behind the paper's figures, recomputed from the artifact's datasets (not pixels).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { artifactPaths, figure6, figure7, figure9, figure10, figure11, table2, table2Figure, table4, type Figure } from "../../lib/plots";

const paths = artifactPaths(join(import.meta.dirname, "../../../shared/datasets/wayfinder-ae"));

function finiteNumbers(fig: Figure): void {
  fig.data.forEach((trace, t) => {
    for (const key of ["x", "y"]) {
      const arr = trace[key] as unknown[] | undefined;
      if (!arr) continue;
      assert.ok(arr.length > 0, `trace ${t} ${key} is empty`);
      for (const v of arr) assert.ok(v === null || typeof v === "string" || Number.isFinite(v), `trace ${t} ${key} holds ${v}`);
    }
  });
}

test("Fig. 6b (redis): 3 DeepTune runs, 5 TL runs and 5 pool shuffles over 250 iterations, TL starts higher", () => {
  const f = figure6(paths, "redis");
  assert.equal(f.deeptune.runs.length, 3);
  assert.equal(f.transfer.runs.length, 5);
  assert.equal(f.random?.length, 5);
  const { deeptune, transfer, random } = f.curves;
  for (const c of [deeptune, transfer, random!]) assert.equal(c.iterations, 250);
  // the normalised values are relative to the pool's best: the best a run can reach is 1
  assert.ok(Math.max(...deeptune.bestSoFar.map((v) => v ?? 0)) <= 1.0000001);
  assert.ok(transfer.smoothed.mean[0] > deeptune.smoothed.mean[0], "transfer learning starts from better configurations");
  assert.ok(transfer.time![249] > 250 * 30, "time axis: 250 simulated redis tests of ~35 s plus updates");
  // random search on the pool: about 28 % of the pool crashed (566 of 2000)
  const crash = random!.raw.crashRate.reduce((a, b) => a + b, 0) / 250;
  assert.ok(crash > 0.2 && crash < 0.36, `random crash rate ${crash}`);
  finiteNumbers(f.figure.figure);
});

test("Fig. 6a (nginx) has no random baseline (its pool is not in the subset) and says so", () => {
  const f = figure6(paths, "nginx");
  assert.equal(f.random, undefined);
  assert.ok(f.notes.some((n) => /nginx pool is not in the artifact subset/.test(n)));
  assert.equal(f.deeptune.runs.length, 5);
});

test("Fig. 7: DeepTune's cost at 3 and 800 samples as the paper states, Unicorn from 36 samples", () => {
  const f = figure7(paths);
  const at = (n: number) => f.deeptune.samples.indexOf(n);
  assert.ok(Math.abs(f.deeptune.seconds[at(3)] - 0.69) < 0.01);
  assert.ok(Math.abs(f.deeptune.megabytes[at(3)] - 82) < 15, `${f.deeptune.megabytes[at(3)]} MB`);
  assert.ok(Math.abs(f.deeptune.seconds[at(800)] - 1.59) < 0.05, `${f.deeptune.seconds[at(800)]} s`);
  assert.ok(Math.abs(f.deeptune.megabytes[at(800)] / 1000 - 3.8) < 0.3, `${f.deeptune.megabytes[at(800)]} MB`);
  assert.equal(f.unicorn.samples[0], 36);
  for (const n of f.figures) finiteNumbers(n.figure);
});

test("Fig. 9: three searchers, DeepTune's first row (no time) dropped, DeepTune ends above random", () => {
  const f = figure9(paths);
  assert.deepEqual(f.curves.map((c) => c.name), ["random search", "DeepTune", "Bayesian optimisation"]);
  assert.equal(f.curves[0].time.length, 500);
  assert.equal(f.curves[1].time.length, 499);
  assert.ok(f.curves[1].mean.at(-1)! > 4 * f.curves[0].mean.at(-1)!);
  finiteNumbers(f.figure.figure);
});

test("Fig. 10 and 11, Table 4: riscv memory saved, multi-objective scores", () => {
  const f10 = figure10(paths);
  assert.equal(f10.trace.values.length, 256);
  assert.ok(Math.abs(f10.deeptuneBestMB.at(-1)! - 40.6) < 0.5, `${f10.deeptuneBestMB.at(-1)} MB saved`);
  assert.ok(Math.abs(f10.poolCrashRate - 0.442) < 0.001);
  finiteNumbers(f10.figure.figure);
  const f11 = figure11(paths);
  assert.equal(f11.folder.runs.length, 5);
  assert.equal(f11.curves.iterations, 600);
  finiteNumbers(f11.figure.figure);
  const t4 = table4(paths);
  assert.equal(t4.length, 5);
  assert.ok(Math.abs(t4[0].score - 0.8269) < 1e-4);
  assert.equal(t4[0].scoreNorm, 1);
  for (let i = 1; i < 5; i++) assert.ok(t4[i - 1].score >= t4[i].score);
});

test("Table 2: best after 250 iterations matches the paper for redis, sqlite and NPB; TL speeds redis up", () => {
  const list = table2(paths);
  const rows = Object.fromEntries(list.map((r) => [r.app, r]));
  const bars = table2Figure(list).figure;
  assert.equal(bars.data.length, 2);
  assert.deepEqual(bars.data[0].x, ["nginx (0/5 vs 3/5)", "redis (3/3 vs 5/5)", "sqlite (5/5 vs 5/5)", "hpc (1/5 vs 2/5)"]);
  assert.equal((bars.data[0].y as number[])[0], 0, "no nginx run without TL came within 1 % of the best");
  finiteNumbers(bars);
  assert.ok(Math.abs(rows.redis.best - 66118.34) < 0.5, `${rows.redis.best}`);
  assert.ok(Math.abs(rows.sqlite.best - 284.3) < 1, `${rows.sqlite.best}`);
  assert.ok(Math.abs(rows.hpc.best - 1512) < 11, `${rows.hpc.best}`);
  assert.equal(Number(rows.redis.relativeToPaperDefault.toFixed(2)), 1.14);
  assert.ok(rows.redis.speedup !== null && rows.redis.speedup > 1, `redis speed-up ${rows.redis.speedup}`);
  assert.equal(rows.redis.without.unit, "s");
  assert.equal(rows.redis.iterationsWithout.unit, "iterations");
});
