import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { similarityMatrix, labelFromFile } from "../../lib/analysis";

const root = join(import.meta.dirname, "../..");
const fig5 = join(root, "../shared/datasets/wayfinder-ae/plotting/fig.5_feature_comparison/data");
const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, "bin/wayfinder.js"), ...args], { encoding: "utf8", timeout: 120_000, cwd: root });

test("similarity from the published importance CSVs reproduces the paper's values with correct labels", () => {
  const files = ["redis", "nginx", "hpc", "sqlite"].map((a) => join(fig5, `${a}_feat_imp.csv`));
  const r = cli("similarity", ...files, "--json");
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { labels: string[]; matrix: number[][]; features: number };
  assert.deepEqual(out.labels, ["redis", "nginx", "hpc", "sqlite"]);
  assert.equal(out.features, 344);
  const at = (a: string, b: string) => Number(out.matrix[out.labels.indexOf(a)][out.labels.indexOf(b)].toFixed(3));
  assert.equal(at("redis", "nginx"), 0.982);
  assert.equal(at("hpc", "redis"), 0.955);
  assert.equal(at("hpc", "nginx"), 0.943);
  for (const other of ["redis", "nginx", "hpc"]) assert.ok(Math.abs(at("sqlite", other) - 0.45) < 0.01, `sqlite-${other} ${at("sqlite", other)}`);
  for (let i = 0; i < 4; i++) {
    assert.equal(out.matrix[i][i], 1);
    for (let j = 0; j < 4; j++) assert.equal(out.matrix[i][j], out.matrix[j][i]);
  }
  // the order of the files decides the order of the labels: rows stay with their application
  const r2 = cli("similarity", files[3], files[0], "--json");
  const out2 = JSON.parse(r2.stdout);
  assert.deepEqual(out2.labels, ["sqlite", "redis"]);
  assert.equal(Number(out2.matrix[0][1].toFixed(3)), 0.446);
});

test("similarity refuses a single application and vectors without common parameters", () => {
  const one = cli("similarity", join(fig5, "redis_feat_imp.csv"));
  assert.equal(one.status, 2);
  assert.match(one.stderr, /needs the importances of at least two applications, got 1 \("redis"\)/);
  assert.throws(
    () => similarityMatrix([
      { label: "a", importances: [{ feature: "X", importance: 1 }] },
      { label: "b", importances: [{ feature: "Y", importance: 1 }] },
    ]),
    /the applications "a", "b" have no parameter in common/,
  );
  assert.throws(
    () => similarityMatrix([
      { label: "a", importances: [{ feature: "X", importance: NaN }] },
      { label: "b", importances: [{ feature: "X", importance: 1 }] },
    ]),
    /a: importance of "X" is NaN/,
  );
});

test("labels come from file names", () => {
  assert.equal(labelFromFile("/x/y/redis_feat_imp.csv"), "redis");
  assert.equal(labelFromFile("linux-redis_3_only_OS_single_core.xlsx"), "redis");
  assert.equal(labelFromFile("linux-hpc_default_56.xlsx"), "hpc");
  assert.equal(labelFromFile("mine.json"), "mine");
});

test("wayfinder importance --json prints features sorted by decreasing importance", () => {
  const pool = join(root, "../shared/datasets/wayfinder-ae/measurements/linux-hpc_default_56.xlsx");
  const r = cli("importance", pool, "--trees", "8", "--seed", "3", "--json");
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { feature: string; importance: number }[];
  assert.ok(rows.length > 200, `${rows.length} parameters`);
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].importance >= rows[i].importance);
  assert.ok(Math.abs(rows.reduce((a, r) => a + r.importance, 0) - 1) < 1e-6, "impurity importances sum to 1");
  const bad = cli("importance", pool, "--method", "gini");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--method "gini": expected impurity or permutation/);
});
