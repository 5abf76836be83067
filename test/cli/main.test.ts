import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

const run = (...args: string[]) =>
  spawnSync(process.execPath, ["bin/wayfinder.js", ...args], { encoding: "utf8", timeout: 60_000 });

test("wayfinder with no arguments lists the commands", () => {
  const r = run();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /usage: wayfinder <command>/);
});

test("an unknown command is a clear error with a non-zero exit", () => {
  const r = run("frobnicate");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command "frobnicate"/);
});
