// DeepTune traces and the artifact's other tables, with exact figures from the files.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  artifactDir,
  artifactPool,
  findArtifact,
  loadArtifact,
  loadDataset,
  loadFeatureImportance,
  loadPolicyCurves,
  loadResultsSummary,
  loadTimingLog,
  loadUnicornCost,
  summarizeDataset,
} from "../../lib/datasets";
import { WayfinderError } from "../../lib/errors";
import { POOLS, artifact, missingArtifact } from "./artifact-files";

const col = (t: { array(n: string): unknown }, name: string) => Array.from(t.array(name) as ArrayLike<unknown>);
const fig = (...p: string[]) => artifact("plotting", ...p);

test("sqlite trace: 1/latency maximised, crash 0, perm_id is the acquisition order", { skip: missingArtifact }, () => {
  const ds = loadDataset(fig("fig.6c_linux-sqlite/data/acquisitions_0.xlsx"));
  assert.equal(ds.schema.provenance.loader, "artifact fig.6c sqlite DeepTune trace");
  assert.equal(ds.schema.objective.direction, "max");
  assert.equal(ds.schema.objective.unit, "op/us");
  assert.equal(ds.schema.parameters.length, 0);
  assert.deepEqual(ds.schema.extraColumns, ["throughput_norm"]);
  const s = summarizeDataset(ds);
  assert.deepEqual([s.rows, s.crashed, s.best], [512, 122, 0.003517287550494075]);
  assert.deepEqual(col(ds.table, "perm_id").slice(0, 3), [0, 1, 2]);
  // Row 2 (perm_id 1): throughput 0.003318565983002619 = 0.9435014724731445 x the pool's best 1/latency.
  assert.equal(col(ds.table, "throughput")[1], 0.003318565983002619);
  assert.equal(col(ds.table, "throughput_norm")[1], 0.9435014724731445);
  assert.ok(ds.schema.provenance.notes.some((n) => /1\/latency/.test(n)));
});

test("redis, nginx, hpc and transfer-learning traces: rows and crashes", { skip: missingArtifact }, () => {
  const cases: Array<[string, number, number, number]> = [
    ["fig.6b_linux-redis/data/acquisitions_0.xlsx", 1800, 468, 66118.3359375],
    ["fig.6a_linux-nginx/data/acquisitions_2.xlsx", 800, 97, 19593.169921875],
    ["fig.6d_linux-hpc/data/acquisitions_1.xlsx", 800, 125, 1522],
    ["fig.6b_linux-redis/data/linux-redis_sqlite-tl/acquisitions_0.xlsx", 300, 38, 66118.3359375],
    ["fig.6d_linux-hpc/data/linux-hpc-redis-tl/acquisitions_4.xlsx", 300, 30, 1497.000040769577],
  ];
  for (const [path, rows, crashed, best] of cases) {
    const s = summarizeDataset(loadDataset(fig(path)));
    assert.deepEqual([s.rows, s.crashed, s.best], [rows, crashed, best], path);
  }
  const bk = loadDataset(fig("fig.6b_linux-redis/data/linux-redis_sqlite-tl.bk/acquisitions_0.xlsx"));
  assert.ok(bk.schema.provenance.notes.some((n) => /old copy .* the paper ignores/.test(n)));
});

test("hpc trace values are the pool's measurements (the paper's runs replayed the pool)", { skip: missingArtifact }, () => {
  const pool = new Set((col(loadDataset(POOLS.hpc).table, "throughput").filter((v) => v !== null) as number[]));
  const trace = col(loadDataset(fig("fig.6d_linux-hpc/data/acquisitions_1.xlsx")).table, "throughput").filter((v) => v !== null) as number[];
  // The traces went through float32: 1442.99999094009 is the pool's 1443.
  const missing = trace.filter((v) => !pool.has(Math.round(v)) || Math.abs(v - Math.round(v)) > 1e-3);
  assert.deepEqual(missing, []);
});

test("riscv and Cozart traces: bytes saved and a score, crash 0", { skip: missingArtifact }, () => {
  const riscv = loadDataset(fig("fig.10_linux-riscv/data/acquisitions.xlsx"));
  assert.equal(riscv.schema.objective.unit, "bytes");
  assert.deepEqual([summarizeDataset(riscv).rows, summarizeDataset(riscv).crashed, summarizeDataset(riscv).best], [256, 42, 40595456]);
  const cozart = loadDataset(fig("fig.11_linux-vanilla-cozart-nginx-mem-thr/data/acquisitions_1.xlsx"));
  assert.equal(cozart.schema.objective.unit, "score");
  assert.deepEqual([summarizeDataset(cozart).rows, summarizeDataset(cozart).crashed], [600, 69]);
});

test("timing log: numpy header, n_samples 2..800, per-update seconds and bytes", { skip: missingArtifact }, () => {
  const t = loadTimingLog(fig("fig.6a_linux-nginx/data/n_samples-mem-time_1.csv"));
  assert.equal(t.table.numRows(), 799);
  assert.deepEqual(t.table.columnNames(), ["n_samples", "memory", "time"]);
  assert.equal(col(t.table, "n_samples")[0], 2);
  assert.equal(col(t.table, "n_samples")[798], 800);
  assert.equal(col(t.table, "memory")[0], 69515898);
  assert.equal(col(t.table, "time")[0], 0.6890234750247592);
  assert.deepEqual(t.units, { memory: "bytes", time: "s" });
  // Fig. 7's copy: the first row includes the start-up (~30 s).
  const f7 = loadTimingLog(fig("fig.7_unicorn_comparison/data/deeptune_samples-mem-time.csv"));
  assert.equal(col(f7.table, "time")[0], 30.30395197868347);
  assert.equal(f7.table.numRows(), 799);
});

test("Unicorn cost: 30 rows from 36 samples, scientific notation", { skip: missingArtifact }, () => {
  const t = loadUnicornCost(fig("fig.7_unicorn_comparison/data/unikorn_mem-time_vs_it.csv"));
  assert.equal(t.table.numRows(), 30);
  assert.deepEqual(col(t.table, "n_samples").slice(0, 2), [36, 47]);
  assert.equal(col(t.table, "n_samples")[29], 355);
  assert.deepEqual([col(t.table, "time")[0], col(t.table, "mem")[0]], [1.64, 1280000]);
});

test("Fig. 9 policy curves: 500 iterations, the blank first DeepTune time is null", { skip: missingArtifact }, () => {
  const t = loadPolicyCurves(fig("fig.9_unikraft-nginx-bayesian/data/unikraft-nginx_policy.csv"));
  assert.equal(t.table.numRows(), 500);
  assert.equal(t.table.columnNames()[0], "iteration");
  assert.equal(col(t.table, "deeptune_tm")[0], null);
  assert.equal(col(t.table, "deeptune_tm")[1], 29.040473001768397);
  assert.equal(col(t.table, "rng_tp_mean")[0], 13152.114399999999);
  assert.equal(col(t.table, "bayes-opt_tm")[499] as number > 15000, true);
  assert.equal(t.units.test_tm, "s");
});

test("feature importances: descending, some negative, 344 features common to the four apps", { skip: missingArtifact }, () => {
  const apps = ["hpc", "nginx", "redis", "sqlite"];
  const sets = apps.map((a) => {
    const t = loadFeatureImportance(fig(`fig.5_feature_comparison/data/${a}_feat_imp.csv`));
    assert.equal(t.provenance.app, a);
    const imp = col(t.table, "importance") as number[];
    assert.ok(imp.every((v, i) => i === 0 || v <= imp[i - 1]), `${a} not descending`);
    return t;
  });
  assert.deepEqual(sets.map((t) => t.table.numRows()), [345, 353, 367, 364]);
  assert.equal(col(sets[0].table, "feature")[0], "ICMP_RATELIMIT");
  assert.equal(col(sets[0].table, "importance")[0], 0.5337449948515156);
  assert.ok((col(sets[2].table, "importance") as number[]).some((v) => v < 0));
  const common = sets.map((t) => new Set(col(t.table, "feature") as string[])).reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
  assert.equal(common.size, 344);
});

test("results summary: headerless acquisitions, best normalised value, score", { skip: missingArtifact }, () => {
  const t = loadResultsSummary(fig("fig.6a_linux-nginx/data/results_summary_1.csv"));
  assert.deepEqual(t.table.objects(), [{ acquisitions: 800, best_norm: 0.9170532822608948, score: 0.9393607378005981 }]);
});

test("loadArtifact dispatches on the registry; loadDataset refuses non-dataset tables", { skip: missingArtifact }, () => {
  const timing = fig("fig.6d_linux-hpc/data/n_samples-mem-time_1.csv");
  assert.equal(findArtifact(timing)?.family, "timing-log");
  const a = loadArtifact(timing);
  assert.equal(a.kind === "table" && a.artifact.family, "timing-log");
  assert.equal(loadArtifact(POOLS.riscv).kind, "dataset");
  assert.throws(() => loadDataset(timing), (e: unknown) => e instanceof WayfinderError && /DeepTune timing log, not a permutation dataset/.test(e.message));
});

test("artifactDir/artifactPool find the artifact from $WAYFINDER_AE or next to the checkout", { skip: missingArtifact }, () => {
  assert.equal(artifactPool("redis"), POOLS.redis);
  assert.equal(artifactPool("npb"), POOLS.hpc);
  const saved = process.env.WAYFINDER_AE;
  try {
    process.env.WAYFINDER_AE = "/no/such/folder";
    assert.throws(() => artifactDir(), (e: unknown) => e instanceof WayfinderError && /looked in \/no\/such\/folder.*set WAYFINDER_AE/.test(e.message));
  } finally {
    if (saved === undefined) delete process.env.WAYFINDER_AE;
    else process.env.WAYFINDER_AE = saved;
  }
});
