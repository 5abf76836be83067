// The done-when figures, checked through the command line as a user runs it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { POOLS, missingArtifact, repoRoot } from "./artifact-files";

function info(file: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ["bin/wayfinder.js", "dataset", "info", file, "--json", ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("redis pool: 2000 rows, throughput maximised, 566 crashes, best 66118.33", { skip: missingArtifact }, () => {
  const i = info(POOLS.redis);
  assert.equal(i.rows, 2000);
  assert.equal(i.objective.name, "throughput");
  assert.equal(i.objective.direction, "max");
  assert.equal(i.crashed, 566);
  assert.equal(i.best.toFixed(2), "66118.33");
  assert.equal(i.parameters.total, 338);
  assert.equal(i.parameters.varying, 259);
  assert.equal(i.medianOver, "non-crashed rows");
  assert.equal(i.median.toFixed(2), "57999.17");
});

test("sqlite pool: minimised, 649 crashes, best 284.31", { skip: missingArtifact }, () => {
  const i = info(POOLS.sqlite);
  assert.equal(i.rows, 2000);
  assert.equal(i.objective.direction, "min");
  assert.equal(i.objective.unit, "us/op");
  assert.equal(i.crashed, 649);
  assert.equal(i.best, 284.31);
  assert.equal(i.parameters.total, 335);
});

test("hpc pool: 566 crashes marked 0, best 1522", { skip: missingArtifact }, () => {
  const i = info(POOLS.hpc);
  assert.equal(i.crashed, 566);
  assert.equal(i.best, 1522);
  assert.equal(i.objective.direction, "max");
  assert.equal(i.parameters.total, 316);
  assert.ok(i.notes.some((n: string) => /crash is marked by throughput 0/.test(n)));
});

test("riscv pool: 442 crashes, memory in bytes minimised (the file stores its negation)", { skip: missingArtifact }, () => {
  const i = info(POOLS.riscv);
  assert.equal(i.rows, 1000);
  assert.equal(i.crashed, 442);
  assert.equal(i.objective.name, "memory");
  assert.equal(i.objective.unit, "bytes");
  assert.equal(i.objective.direction, "min");
  assert.equal(i.best, 174166016);
  assert.equal(i.parameters.total, 128);
  assert.ok(i.notes.some((n: string) => /minus the file's "throughput"/.test(n)));
});

test("unikraft-nginx pool: 3840 rows, no crashes", { skip: missingArtifact }, () => {
  const i = info(POOLS.unikraft);
  assert.equal(i.rows, 3840);
  assert.equal(i.crashed, 0);
  assert.equal(i.parameters.total, 33);
  assert.equal(i.best, 45464.75);
});

test("options override the registry and the override is reported", { skip: missingArtifact }, () => {
  const i = info(POOLS.hpc, "--crash-marker", "none");
  assert.equal(i.crashed, 0);
  assert.ok(i.notes.some((n: string) => /crash marker\(s\) \(none\) given by option instead of the registry's "0"/.test(n)), i.notes.join("\n"));
});

test("text output names the objective, the direction and what the median is over", { skip: missingArtifact }, () => {
  const r = spawnSync(process.execPath, ["bin/wayfinder.js", "dataset", "info", POOLS.sqlite], { cwd: repoRoot, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /objective\s+latency \(us\/op\), min \(lower is better\)/);
  assert.match(r.stdout, /crashed\s+649 of 2000 rows/);
  assert.match(r.stdout, /best\s+284\.31 us\/op/);
  assert.match(r.stdout, /median\s+296\.91 us\/op \(over the 1351 non-crashed rows\)/);
});

test("a missing file is an error naming it, exit status 2", () => {
  const r = spawnSync(process.execPath, ["bin/wayfinder.js", "dataset", "info", "no/such/file.xlsx"], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim(), "error: no/such/file.xlsx: no such file");
});

test("wayfinder demo prints the five pools and a summary line", { skip: missingArtifact }, () => {
  const r = spawnSync(process.execPath, ["bin/wayfinder.js", "demo", "--json"], { cwd: repoRoot, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.pools.map((p: { rows: number }) => p.rows), [2000, 2000, 2000, 1000, 3840]);
  assert.deepEqual(out.pools.map((p: { crashed: number }) => p.crashed), [566, 649, 566, 442, 0]);
  assert.equal(out.total, 10840);
});
