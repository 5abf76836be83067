// The replay driver and its metrics, on the real artifact pools and the paper's own DeepTune traces.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { artifactDir, artifactPool, loadDataset } from "../../lib/datasets";
import { replay } from "../../lib/search/replay";
import { aggregate, scoreRun, summarize } from "../../lib/search/replay-metrics";
import { replayPool } from "../../lib/search/replay-pool";
import { reportFromValues } from "../../lib/search/replay-report";
import { traceValues } from "../../lib/search/trace-values";

function haveArtifact(): boolean {
  try {
    artifactDir();
    return true;
  } catch {
    return false;
  }
}

test("scores: best@N, regret, crash rate and iterations to 99.5 % of the pool best, by hand", () => {
  const stats = { best: 100, median: 50, direction: "max" as const };
  const values = [null, 60, null, 99.6, 80, ...Array(20).fill(null)];
  const s = scoreRun(values, stats, [2, 4, 25]);
  assert.deepEqual(s.bestAt, { 2: 60, 4: 99.6, 25: 99.6 });
  assert.ok(Math.abs(s.regretAt[2] - 0.8) < 1e-12 && Math.abs(s.regretAt[4] - 0.008) < 1e-12);
  assert.equal(s.itersToTarget, 4);
  assert.equal(s.crashRate, 22 / 25);
  const min = scoreRun([300, 290, 285.7], { best: 284.31, median: 297, direction: "min" }, [3]);
  assert.equal(min.bestAt[3], 285.7);
  assert.equal(min.itersToTarget, 3, "285.7 is within 0.5 % of 284.31");
  assert.equal(scoreRun([null, null], stats, [2]).regretAt[2], 1, "nothing ran: regret 1");
  const agg = aggregate([s, scoreRun([100, ...Array(24).fill(50)], stats, [2, 4, 25])], [2, 4, 25]);
  assert.equal(agg.bestAt[25].mean, 99.8);
  assert.equal(agg.itersToTarget, 2.5);
  assert.equal(agg.targetReached, 2);
  const t = summarize([1, 2, 3]);
  assert.ok(Math.abs(t.ci95 - (4.303 * 1) / Math.sqrt(3)) < 1e-9);
});

test("replay on the unikraft-nginx pool: pool rows only, recorded values, seeded, budget honoured", async (t) => {
  if (!haveArtifact()) return t.skip("artifact datasets not found (set WAYFINDER_AE)");
  const pool = replayPool(loadDataset(artifactPool("unikraft-nginx")), "unikraft-nginx");
  assert.equal(pool.configs.length, 3840);
  const a = await replay(pool, { searcher: "random", budget: 120, seed: 3 });
  assert.equal(a.values.length, 120);
  assert.equal(new Set(a.rows).size, 120);
  a.rows.forEach((row, i) => assert.equal(a.values[i], pool.values[row]));
  assert.ok(a.seconds.every((s, i) => i === 0 || s > a.seconds[i - 1]), "simulated time only moves forward");
  const b = await replay(pool, { searcher: "random", budget: 120, seed: 3 });
  assert.deepEqual(b.rows, a.rows);
  const c = await replay(pool, { searcher: "random", budget: 120, seed: 4 });
  assert.notDeepEqual(c.rows, a.rows);
  await assert.rejects(replay(pool, { searcher: "random", budget: 0, seed: 1 }), /budget must be a positive integer/);
  await assert.rejects(replay(pool, { searcher: "nope", budget: 5, seed: 1 }), /unknown searcher "nope"/);
});

test("random search on the redis pool reproduces its crash rate (about 0.28)", async (t) => {
  if (!haveArtifact()) return t.skip("artifact datasets not found (set WAYFINDER_AE)");
  const pool = replayPool(loadDataset(artifactPool("redis")), "redis");
  assert.equal(pool.best, 66118.33333333333);
  const runs = [];
  for (let seed = 1; seed <= 4; seed++) runs.push(await replay(pool, { searcher: "random", budget: 250, seed }));
  const r = reportFromValues(pool, "random", runs.map((x) => x.values), 250);
  assert.ok(Math.abs(r.crashRate - 0.283) < 0.04, `crash rate ${r.crashRate}`);
  assert.ok(r.bestAt["250"] > 65000 && r.bestAt["250"] <= pool.best, `best@250 ${r.bestAt["250"]}`);
});

test("the paper's DeepTune redis traces score as published (64810 / 64810 / 65642 / 66002, 23.7 % crashes)", (t) => {
  if (!haveArtifact()) return t.skip("artifact datasets not found (set WAYFINDER_AE)");
  const dir = join(artifactDir(), "plotting/fig.6b_linux-redis/data");
  if (!existsSync(dir)) return t.skip(`missing ${dir}`);
  const pool = replayPool(loadDataset(artifactPool("redis")), "redis");
  const runs = [0, 1, 2].map((k) => traceValues(loadDataset(join(dir, `acquisitions_${k}.xlsx`))));
  const r = reportFromValues(pool, "deeptune (paper)", runs, 250);
  assert.deepEqual(
    Object.fromEntries(Object.entries(r.bestAt).map(([k, v]) => [k, Math.round(v)])),
    { 25: 64810, 50: 64810, 100: 65642, 250: 66002 },
  );
  assert.ok(Math.abs(r.crashRate - 0.237) < 0.0015, `crash rate ${r.crashRate}`);
});

test("a dataset whose every row crashed, or without rows, is refused with a clear message", async (t) => {
  if (!haveArtifact()) return t.skip("artifact datasets not found (set WAYFINDER_AE)");
  const ds = loadDataset(artifactPool("linux-riscv"));
  const crashed = { ...ds, table: ds.table.derive({ [ds.schema.crashColumn]: () => true }) };
  assert.throws(() => replayPool(crashed, "riscv"), /riscv: every row is a crash, so there is nothing to search for/);
  const empty = { ...ds, table: ds.table.slice(0, 0) };
  assert.throws(() => replayPool(empty, "riscv"), /riscv: the dataset has no rows/);
});
