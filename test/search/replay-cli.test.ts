// `wayfinder replay` end to end: JSON keys scripts depend on, and bad input (clear error, exit 2, no hang).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { artifactDir, artifactPool } from "../../lib/datasets";
import { main } from "../../harness/cli/main";

/** Run the CLI in this process (no start-up cost), capturing what it prints on stderr. */
async function inProcess(...args: string[]): Promise<{ status: number; stderr: string }> {
  const errors: string[] = [];
  const log = console.log;
  const error = console.error;
  console.error = (...a: unknown[]) => void errors.push(a.join(" "));
  console.log = () => {};
  try {
    return { status: await main(args), stderr: errors.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const root = join(import.meta.dirname, "../..");

function wayfinder(...args: string[]) {
  // a hang would be a failure: the timeout kills it and status is null
  const r = spawnSync(process.execPath, [join(root, "bin/wayfinder.js"), ...args], { cwd: root, encoding: "utf8", timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function pool(t: { skip(msg: string): void }): string | null {
  try {
    artifactDir();
    return artifactPool("linux-riscv");
  } catch {
    t.skip("artifact datasets not found (set WAYFINDER_AE)");
    return null;
  }
}

test("replay --json prints one object per searcher with the documented keys", (t) => {
  const file = pool(t);
  if (!file) return;
  const r = wayfinder("replay", "--dataset", file, "--searcher", "random,grid", "--budget", "60", "--seeds", "3", "--json"); // a real process: the exit path and stdout as scripts see them
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.searcher), ["random", "grid"]);
  for (const l of lines) {
    for (const k of ["searcher", "dataset", "budget", "seeds", "direction", "bestAt", "bestAtStd", "crashRate", "regretAt", "itersToTarget"]) assert.ok(k in l, `missing ${k}`);
    assert.deepEqual(Object.keys(l.bestAt), ["25", "50"], "only checkpoints within the budget");
    assert.equal(l.direction, "min");
    assert.equal(l.seeds, 3);
    assert.ok(l.crashRate > 0.2 && l.crashRate < 0.7, `riscv pool crash rate is 0.44, got ${l.crashRate}`);
    assert.ok(l.itersToTarget === null || typeof l.itersToTarget === "number");
  }
});

test("replay: bad input gets a clear error and exit status 2", async (t) => {
  const file = pool(t);
  if (!file) return;
  const cases: [string[], RegExp][] = [
    [["--dataset", file, "--searcher", "rnadom"], /unknown searcher "rnadom" \(did you mean random\?\); available: bayes, grid, random/],
    [["--dataset", file, "--budget", "0"], /--budget "0" is not valid; expected a positive integer/],
    [["--dataset", file, "--budget", "-5"], /--budget "-5" is not valid/],
    [["--dataset", file, "--budget", "5000"], /larger than the pool \(1000 rows\)/],
    [["--dataset", file, "--seeds", "x"], /--seeds "x" is not valid/],
    [["--dataset", file, "--searcher", "random", "--initial", "3"], /no requested searcher has a setting "initial" \(valid settings: random: none\)/],
    [["--dataset", file, "--searcher", "bayes", "--initial", "zero"], /searcher bayes: setting initial = "zero" is invalid; expected an integer >= 1/],
    [["--searcher", "random"], /--dataset <file> is required/],
    [["--dataset", join(root, "no-such-file.xlsx")], /no such file/],
  ];
  for (const [args, re] of cases) {
    const r = await inProcess("replay", ...args);
    assert.equal(r.status, 2, `${args.join(" ")}: status ${r.status}\n${r.stderr}`);
    assert.match(r.stderr, re);
  }
});

test("replay: a table without an objective column is refused, naming the fix", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-replay-"));
  const csv = join(dir, "pool.csv");
  writeFileSync(csv, "A,B,score_x\n1,y,3\n2,n,4\n");
  const r = await inProcess("replay", "--dataset", csv);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /objective/);
});

test("job validate: problems at file:line:column and exit 2; a good file passes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-job-"));
  const bad = join(dir, "bad.yaml");
  writeFileSync(bad, "name: x\nobjective: { metric: t, direction: max }\nparameters:\n  - { name: A, type: integer, min: 0, max: 3 }\n  - { name: B, type: boolean, condition: \"C == 'y'\" }\n");
  const r = await inProcess("job", "validate", bad);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad\.yaml:5:42: parameters\[1\]\.condition: parameter B: its condition "C == 'y'" names "C", which is not a parameter of this space/);
  const good = join(dir, "good.yaml");
  writeFileSync(good, "name: x\nobjective: { metric: t, direction: max }\nparameters:\n  - { name: A, type: integer, min: 0, max: 3 }\n");
  const ok = await inProcess("job", "validate", good);
  assert.equal(ok.status, 0, ok.stderr);
});
