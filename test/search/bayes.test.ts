// Bayesian optimisation: its parts (GP, crash model) and its documented time bound per ask.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { artifactDir, artifactPool, loadDataset } from "../../lib/datasets";
import { Rng } from "../../lib/random";
import { BayesSearcher } from "../../lib/search/bayes";
import { CrashModel } from "../../lib/search/crash-model";
import { GaussianProcess } from "../../lib/search/gaussian-process";
import { replayPool, type ReplayPool } from "../../lib/search/replay-pool";
import type { Observation, Searcher } from "../../lib/search/searcher";
import { Encoder } from "../../lib/space/encoder";
import { sampleConfig } from "../../lib/space/sample";
import { readWayfinderJob } from "../../harness/jobs/wayfinder-job";

/** CPU milliseconds of one ask (wall time on a shared machine says more about the neighbours). */
async function askCpuMs(s: Searcher): Promise<number> {
  await s.ask(1); // the first model fit is the thorough one; the bound is about the steady state
  const c0 = process.cpuUsage();
  await s.ask(1);
  const cu = process.cpuUsage(c0);
  return (cu.user + cu.system) / 1000;
}

test("gaussian process: interpolates, is uncertain away from data, learns which parameter matters", () => {
  const rng = new Rng(1);
  // 3 numeric columns, only the first matters
  const X: Float64Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < 60; i++) {
    const x = Float64Array.from([rng.next() * 4 - 2, rng.next() * 4 - 2, rng.next() * 4 - 2]);
    X.push(x);
    y.push(Math.sin(x[0] * 1.5) * 10);
  }
  const gp = new GaussianProcess(Int32Array.from([0, 1, 2]), 3);
  gp.fit(X, y, rng, 60);
  const near = gp.predict(Float64Array.from([0.5, 0, 0]));
  assert.ok(Math.abs(near.mean - Math.sin(0.75) * 10) < 1, `mean ${near.mean}`);
  const far = gp.predict(Float64Array.from([9, 9, 9]));
  assert.ok(far.std > 3 * near.std, `std near ${near.std}, far ${far.std}`);
  const w = gp.weights();
  assert.ok(w[0] > 5 * w[1] && w[0] > 5 * w[2], `weights ${Array.from(w)}`);
});

test("crash model: learns the value that crashes; constant and honest when nothing (or everything) crashed", () => {
  const X = Array.from({ length: 80 }, (_, i) => Float64Array.from([i % 2, (i >> 1) % 2]));
  const ok = X.map((x) => x[0] === 0);
  const m = new CrashModel(2);
  m.fit(X, ok);
  assert.ok(m.pOk(Float64Array.from([0, 1])) > 0.75 && m.pOk(Float64Array.from([1, 0])) < 0.25);
  m.fit(X, ok); // warm-started refits sharpen it
  assert.ok(m.pOk(Float64Array.from([0, 1])) > 0.8 && m.pOk(Float64Array.from([1, 0])) < 0.2);
  const none = new CrashModel(2);
  none.fit(X, X.map(() => true));
  assert.equal(none.pOk(X[0]), 81 / 82);
});

test("bayes on the unikraft-nginx pool (33 parameters): an ask at 250 observations takes < 2 s of CPU", async (t) => {
  let pool: ReplayPool;
  try {
    pool = replayPool(loadDataset(artifactPool("unikraft-nginx")), "unikraft-nginx");
  } catch {
    return t.skip("artifact datasets not found (set WAYFINDER_AE)");
  }
  const s = new BayesSearcher({ space: pool.space, direction: "max", seed: 1, pool: pool.configs });
  const idx = new Rng(2).shuffle(pool.configs.map((_, i) => i)).slice(0, 250);
  await s.tell(idx.map((i): Observation => ({ config: pool.configs[i], outcome: { ok: true, value: pool.values[i]! } })));
  const ms = await askCpuMs(s);
  t.diagnostic(`ask CPU ${ms.toFixed(0)} ms at 250 observations (${s.lastAskMs.toFixed(0)} ms wall)`);
  assert.ok(ms < 2000, `ask took ${ms} ms of CPU`);
  // the model was used: the pick is among the better half of the pool
  const [pick] = await s.ask(1);
  const v = pool.values[pool.configs.indexOf(pick)]!;
  assert.ok(v > pool.median, `picked ${v}, pool median ${pool.median}`);
});

test("bayes at Linux size (linux-redis job, 350+ varied parameters, live space): < 2 s of CPU per ask at 250 observations", async (t) => {
  const file = join(artifactDirOr(), "../../wayfinder-jobs/linux-redis/job.yaml");
  if (!existsSync(file)) return t.skip(`missing ${file}`);
  const { space } = readWayfinderJob(file);
  assert.ok(space.variedParameters().length > 300);
  const enc = new Encoder(space);
  const rng = new Rng(4);
  const obs: Observation[] = [];
  for (let i = 0; i < 250; i++) {
    const config = sampleConfig(space, rng);
    const x = enc.encode(config);
    obs.push({ config, outcome: x[0] > 0.5 && i % 3 === 0 ? { ok: false, phase: "boot" } : { ok: true, value: x[1] + x[2] * 2 } });
  }
  const s = new BayesSearcher({ space, direction: "max", seed: 1 });
  await s.tell(obs);
  const ms = await askCpuMs(s);
  t.diagnostic(`ask CPU ${ms.toFixed(0)} ms with ${enc.width} encoded columns (${s.lastAskMs.toFixed(0)} ms wall)`);
  assert.ok(ms < 2000, `ask took ${ms} ms of CPU`);
});

function artifactDirOr(): string {
  try {
    return artifactDir();
  } catch {
    return join(import.meta.dirname, "../../../shared/datasets/wayfinder-ae");
  }
}
