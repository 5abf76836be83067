#!/usr/bin/env node
// Runs the whole test suite: a strict type check of the project, then every test/**/*.test.ts file
// with node's built-in test runner (through tsx, so no build step). Extra arguments filter test files
// by substring, e.g. `node scripts/test.mjs datasets`.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";

const root = join(import.meta.dirname, "..");
const filters = process.argv.slice(2);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".test.ts") ? [p] : [];
  });
}

const files = walk(join(root, "test"))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${JSON.stringify(filters)}`);
  process.exit(1);
}

if (filters.length === 0) {
  console.log("type check: tsc -p . --noEmit");
  const tsc = spawnSync(join(root, "node_modules/.bin/tsc"), ["-p", ".", "--noEmit"], { cwd: root, stdio: "inherit" });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

// One test file at a time: several files boot VMs or train models, and this machine has 2 cores.
const run = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", ...files],
  { cwd: root, stdio: "inherit" },
);
process.exit(run.status ?? 1);
