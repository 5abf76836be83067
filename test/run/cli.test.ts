// CLI checks that need no VM: bad input is refused before anything boots, and `best`/`export` read a
// store filled by the run loop with a FAKE evaluator (the real-VM CLI runs are in run-vm.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { parseJob } from "../../harness/jobs/job";
import { SqliteStudyStore } from "../../harness/store";
import { runStudy } from "../../harness/run";
import { createSearcher } from "../../lib/search";
import { readDataset } from "../../lib/datasets";

const JOB = "test/run/fixtures/tiny-job.yaml";
const cli = (...args: string[]) => spawnSync(process.execPath, ["bin/wayfinder.js", ...args], { encoding: "utf8", timeout: 60_000 });

test("run refuses bad input before anything boots, and creates no store", () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-cli-"));
  const store = join(dir, "s.sqlite");
  let r = cli("run", JOB, "--store", store);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /QEMU binary "\/nonexistent\/qemu-system-x86_64" \(target.vm.qemu\) does not exist/);
  assert.equal(existsSync(store), false);

  r = cli("run", JOB, "--budget", "soon");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--budget "soon" is neither a number of evaluations/);

  const varied = join(dir, "varied.yaml");
  writeFileSync(varied, readFileSync(JOB, "utf8").replace("vary: [runtime, boot, application]", "vary: [runtime, compile]"));
  r = cli("run", varied);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /varied\.yaml:11:\d+: parameters\[2\]\.phase: parameter CONFIG_HZ is compile-time and varied/);

  r = cli("run", "--resume", store, "--searcher", "bayes");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--searcher cannot change on --resume/);
  rmSync(dir, { recursive: true });
});

test("best and export read a store (filled with a fake evaluator)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-cli-"));
  const file = join(dir, "s.sqlite");
  const text = readFileSync(JOB, "utf8");
  const job = parseJob(text, JOB);
  const store = SqliteStudyStore.create(file, {
    name: job.name, jobText: text, jobPath: JOB, job: {}, searcher: "random", seed: 3, repeats: 2,
    budget: { iterations: 6 }, objective: "rps", direction: "max", defaultConfig: job.space.defaultConfig(),
  });
  // Fake objective: throughput grows with somaxconn; a small spread between repeats.
  let k = 0;
  await runStudy({
    store, searcher: await createSearcher("random", { space: job.space, direction: "max", seed: 3 }),
    evaluate: async ({ config }) => ({ outcome: { ok: true, value: 1000 + Number(config["net.core.somaxconn"]) / 100 + (k++ % 2) } }),
  });
  const evs = store.evaluations();
  store.close();
  const bestSeq = evs.reduce((b, e) => ((e.outcome as { value: number }).value > (b.outcome as { value: number }).value ? e : b)).seq;

  let r = cli("best", file);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`best: +evaluation #${bestSeq}:`));
  assert.match(r.stdout, /^-net\.core\.somaxconn = 4096$/m);
  assert.match(r.stdout, /## kernel command line/);
  r = cli("best", file, "--json");
  const json = JSON.parse(r.stdout);
  assert.equal(json.best.seq, bestSeq);
  assert.equal(json.best.config["kernel.randomize_va_space"], 2);
  assert.equal(json.beyondNoise, true);

  const out = join(dir, "runs", "tiny.csv");
  r = cli("export", file, "--out", out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /6 evaluations, 0 failed/);
  const ds = readDataset(out);
  assert.equal(ds.table.numRows(), 6);
  assert.equal(ds.schema.parameters.find((p) => p.name === "CONFIG_HZ")?.phase, "compile");

  r = cli("best", join(dir, "nope.sqlite"));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /nope\.sqlite" does not exist/);
  rmSync(dir, { recursive: true });
});
