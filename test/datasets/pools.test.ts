// The five real pools through the library: schema, exact cell values and quirks, row conversion.
import { test } from "node:test";
import assert from "node:assert/strict";
import { configKey, datasetRows, loadDataset, parameterColumns, parameterNames, relativeToBest, summarizeDataset } from "../../lib/datasets";
import type { Dataset } from "../../lib/datasets";
import { POOLS, missingArtifact } from "./artifact-files";

const cache = new Map<string, Dataset>();
const load = (f: string) => cache.get(f) ?? (cache.set(f, loadDataset(f)), cache.get(f)!);
const col = (ds: Dataset, name: string) => Array.from(ds.table.array(name) as ArrayLike<unknown>);
const param = (ds: Dataset, name: string) => {
  const p = ds.schema.parameters.find((q) => q.name === name);
  assert.ok(p, `no parameter ${name}`);
  return p;
};

test("redis pool: schema, big integers, hex strings, triples, booleans", { skip: missingArtifact }, () => {
  const ds = load(POOLS.redis);
  assert.equal(ds.table.numRows(), 2000);
  assert.equal(ds.schema.parameters.length, 338);
  assert.equal(ds.schema.parameters.filter((p) => p.constant).length, 79);
  assert.equal(ds.schema.objective.name, "throughput");
  assert.equal(ds.schema.objective.unit, "req/s");
  assert.equal(ds.schema.idColumn, "perm_id");
  assert.equal(ds.schema.provenance.app, "redis");
  assert.equal(ds.schema.provenance.os, "linux");
  assert.equal(ds.schema.provenance.loader, "artifact linux-redis pool");
  // 18446744073692774399 does not fit a double (it would print as 18446744073692774000).
  assert.deepEqual(param(ds, "SHMMAX").domain, ["18446744073692774399"]);
  assert.ok(col(ds, "SHMALL").every((v) => v === "18446744073692774399"));
  assert.deepEqual(param(ds, "FLAGS").domain, ["0x1003"]);
  assert.equal(param(ds, "FLAGS").kind, "categorical");
  assert.deepEqual(param(ds, "TCP_RMEM").domain, ["4096 87380 6291456", "40960 873800 62914560", "512 8738 629145"]);
  assert.deepEqual(param(ds, "TCP_CONGESTION_CONTROL").domain, ["bbr", "cdg", "cubic", "htcp", "reno", "vegas"]);
  assert.equal(param(ds, "REDIS_APPENDONLY").kind, "boolean");
  assert.equal(param(ds, "REDIS_APPENDONLY").phase, "application");
  assert.equal(param(ds, "SOMAXCONN").phase, undefined);
  assert.deepEqual(param(ds, "REDIS_APPENDONLY").domain, ["no"]);
  assert.equal(param(ds, "LEASES_ENABLE").kind, "integer");
  assert.deepEqual(param(ds, "LEASES_ENABLE").domain, [0, 1]);
  // First data row of the sheet: perm_id 15, crashed (-1).
  assert.equal(col(ds, "perm_id")[0], 15);
  assert.equal(col(ds, "crashed")[0], true);
  assert.equal(col(ds, "throughput")[0], null);
  assert.equal(col(ds, "throughput")[2], 57800.33333333334);
  const s = summarizeDataset(ds);
  assert.equal(s.best, 66118.33333333333);
  assert.equal(s.bestId, 1274);
});

test("sqlite pool: latency minimised (the file's column is throughput)", { skip: missingArtifact }, () => {
  const ds = load(POOLS.sqlite);
  assert.equal(ds.schema.objective.name, "latency");
  assert.equal(ds.schema.objective.direction, "min");
  assert.ok(ds.schema.provenance.notes.some((n) => /microseconds per operation/.test(n)));
  const s = summarizeDataset(ds);
  assert.deepEqual([s.crashed, s.best, s.bestId, s.median], [649, 284.31, 3951, 296.906]);
  assert.equal(param(ds, "AUTOMATIC_INDEX").kind, "boolean");
});

test("hpc pool: crash marker 0, integer objective", { skip: missingArtifact }, () => {
  const ds = load(POOLS.hpc);
  const s = summarizeDataset(ds);
  assert.deepEqual([s.rows, s.crashed, s.best, s.median, s.parameters, s.varyingParameters], [2000, 566, 1522, 1428, 316, 259]);
  assert.ok(col(ds, "throughput").every((v) => v === null || (typeof v === "number" && v > 0)));
});

test("riscv pool: memory = minus the stored value, crash marker 1, compile-time CONFIG_ parameters", { skip: missingArtifact }, () => {
  const ds = load(POOLS.riscv);
  assert.equal(ds.schema.objective.name, "memory");
  assert.equal(ds.schema.objective.direction, "min");
  // Sheet row 2 holds -197,586,944 (perm_id 26); row 4 holds the crash marker 1.
  assert.equal(col(ds, "memory")[0], 197586944);
  assert.equal(col(ds, "perm_id")[0], 26);
  assert.equal(col(ds, "crashed")[2], true);
  assert.ok(col(ds, "perm_id").includes(1000));
  assert.ok(ds.schema.parameters.every((p) => p.kind === "boolean" && p.phase === "compile"));
  const s = summarizeDataset(ds);
  assert.deepEqual([s.crashed, s.best, s.median], [442, 174166016, 193005568]);
});

test("unikraft-nginx pool: no crash marker, the blank column, 3 constant columns", { skip: missingArtifact }, () => {
  const ds = load(POOLS.unikraft);
  const s = summarizeDataset(ds);
  assert.deepEqual([s.rows, s.crashed, s.parameters, s.varyingParameters], [3840, 0, 33, 30]);
  const debug = param(ds, "LIBMIMALLOC_MIMALLOC_DEBUG");
  assert.equal(debug.kind, "categorical");
  assert.deepEqual(debug.domain, ["", "1", "2"]);
  assert.equal(col(ds, "LIBMIMALLOC_MIMALLOC_DEBUG").filter((v) => v === "").length, 1339);
  assert.equal(ds.schema.provenance.os, "unikraft");
});

test("datasetRows gives configs with objective and crash flag; configKey finds rows", { skip: missingArtifact }, () => {
  const ds = load(POOLS.redis);
  const names = parameterNames(ds, true);
  assert.equal(names.length, 259);
  const rows = datasetRows(ds, names);
  assert.equal(rows.length, 2000);
  assert.equal(rows.filter((r) => r.crashed).length, 566);
  assert.ok(rows.every((r) => (r.objective === null) === r.crashed));
  assert.equal(Object.keys(rows[0].config).length, 259);
  assert.equal(rows[0].id, 15);
  const best = rows.find((r) => r.id === 1274)!;
  assert.equal(best.objective, 66118.33333333333);
  // Every random configuration of the pool is distinct, so keys identify rows.
  const index = new Map(rows.map((r) => [configKey(r.config, names), r.index]));
  assert.equal(index.size, 2000);
  assert.equal(index.get(configKey({ ...best.config }, names)), best.index);
  const cols = parameterColumns(ds, ["SOMAXCONN"]);
  assert.equal(cols.SOMAXCONN.length, 2000);
  assert.equal(cols.SOMAXCONN[0], rows[0].config.SOMAXCONN);
});

test("relativeToBest: 1 for the best row, below 1 elsewhere, for max and min objectives", { skip: missingArtifact }, () => {
  for (const f of [POOLS.redis, POOLS.sqlite]) {
    const rel = relativeToBest(load(f));
    assert.equal(rel.length, summarizeDataset(load(f)).rows - summarizeDataset(load(f)).crashed);
    assert.equal(Math.max(...rel), 1);
    assert.ok(Math.min(...rel) > 0);
  }
});

test("loading a cached pool again is fast", { skip: missingArtifact }, () => {
  loadDataset(POOLS.redis);
  const t = performance.now();
  loadDataset(POOLS.redis);
  const ms = performance.now() - t;
  console.log(`# redis pool, second load in this process: ${ms.toFixed(0)} ms`);
  assert.ok(ms < 5000, `${ms} ms`);
});
