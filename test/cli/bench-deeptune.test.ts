// wayfinder bench deeptune --replay --transfer-only: transferred rows per scope, from per-seed source
// models trained on the real artifact pools (a tiny budget: this checks the wiring, not the scores).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

const wayfinder = (...args: string[]) =>
  spawnSync(process.execPath, ["bin/wayfinder.js", "bench", "deeptune", ...args], { encoding: "utf8", timeout: 300_000 });

test("--transfer-scopes all,crash gives one transferred row per scope", () => {
  const r = wayfinder("--replay", "--pools", "redis", "--transfer-only", "--seeds", "2", "--budget", "5", "--transfer-scopes", "all,crash", "--no-write");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /2 seeds x 5 evaluations/);
  assert.match(r.stdout, /^deeptune\+TL\(sqlite, all\) /m);
  assert.match(r.stdout, /^deeptune\+TL\(sqlite, crash\) /m);
  assert.doesNotMatch(r.stdout, /^random /m, "--transfer-only runs no untransferred searcher");
});

test("an unknown transfer scope is a clear error naming the valid ones", () => {
  const r = wayfinder("--replay", "--transfer-only", "--transfer-scopes", "all,perf");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--transfer-scopes: unknown scope "perf"; valid: all, crash/);
});
