// End-to-end with REAL VMs (QEMU under TCG here, the VM harness's evaluator, the real random searcher):
// a small `wayfinder run` whose host process is SIGKILLed mid-evaluation, then `--resume`. Checks: no
// lost or duplicated evaluation, the interrupted one re-run and recorded as such, no orphan QEMU, the
// measured value proves each configuration reached the guest kernel, and runtime-only changes never
// rebuild the image. About 4 VM boots (3-5 minutes on a loaded 2-core machine).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStudyStore, configKey } from "../../harness/store";
import { findQemu } from "../../harness/vm/preflight";
import { readDataset } from "../../lib/datasets";

const JOB = "test/run/fixtures/vm-sysctl-job.yaml";
const bin = ["bin/wayfinder.js"];

function qemuProblem(): string | undefined {
  try {
    findQemu();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function childQemuPids(parent: number): number[] {
  const r = spawnSync("ps", ["-o", "pid=,comm=", "--ppid", String(parent)], { encoding: "utf8" });
  return r.stdout.split("\n").map((l) => l.trim().split(/\s+/)).filter(([, comm]) => comm?.startsWith("qemu-system")).map(([pid]) => Number(pid));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\bZ\b/.test(spawnSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).stdout);
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("real VMs: SIGKILL of `wayfinder run` mid-evaluation, then --resume: nothing lost or duplicated, no orphan QEMU, no rebuild", { timeout: 900_000 }, async (t) => {
  const problem = qemuProblem();
  if (problem) {
    t.skip(`cannot run VMs here: ${problem}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "wf-e2e-"));
  const store = join(dir, "study.sqlite");
  const cache = join(process.cwd(), ".cache/wayfinder");
  const child = spawn(process.execPath, [...bin, "run", JOB, "--budget", "3", "--seed", "4", "--store", store, "--cache", cache], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  // Wait until evaluation 1 runs in a VM, then kill the host process without any chance to clean up.
  let qemu: number[] = [];
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    if (/evaluation 1 started/.test(out)) {
      qemu = childQemuPids(child.pid!);
      if (qemu.length > 0) break;
    }
    if (child.exitCode !== null) break;
    await sleep(500);
  }
  assert.ok(qemu.length > 0, `evaluation 1 never ran in QEMU; output:\n${out}`);
  await sleep(3000);
  child.kill("SIGKILL");
  await exited;
  // QEMU must not outlive the host process (the VM harness ties its life to its parent).
  for (let i = 0; i < 40 && qemu.some(alive); i++) await sleep(250);
  assert.deepEqual(qemu.filter(alive), [], "no orphan QEMU after SIGKILL of the host process");

  let s = SqliteStudyStore.open(store);
  const before = s.evaluations();
  s.close();
  assert.equal(before.length, 2);
  assert.deepEqual(before.map((e) => e.state), ["done", "in-flight"]);

  const resumed = spawnSync(process.execPath, [...bin, "run", "--resume", store, "--cache", cache], { encoding: "utf8", timeout: 600_000 });
  assert.equal(resumed.status, 0, resumed.stdout + resumed.stderr);
  assert.match(resumed.stdout, /evaluation 1 started \(re-run of an interrupted evaluation\)/);
  s = SqliteStudyStore.open(store);
  const evs = s.evaluations();
  const events = s.events();
  s.close();
  assert.equal(evs.length, 3, "the budget of 3 evaluations is met exactly");
  assert.ok(evs.every((e) => e.state === "done"));
  assert.equal(evs[0].finishedAt, before[0].finishedAt, "the finished evaluation was not run again");
  assert.deepEqual(evs[1].config, before[1].config, "the interrupted evaluation was re-run with its configuration");
  assert.equal(evs[1].attempts, 2);
  assert.ok(events.some((e) => e.kind === "rerun-interrupted" && e.seq === 1));
  assert.equal(new Set(evs.map((e) => configKey(e.config))).size, 3);
  for (const e of evs) {
    assert.ok(e.outcome!.ok, `evaluation ${e.seq} failed: ${JSON.stringify(e.outcome)}\n${e.logExcerpt}`);
    const expected = Number(e.config["net.core.somaxconn"]) + Number(e.config["vm.swappiness"]);
    assert.equal((e.outcome as { value: number }).value, expected, `evaluation ${e.seq}: the guest read back its configuration`);
    assert.equal(e.paramStatus!["net.core.somaxconn"].status, "applied");
    assert.equal(e.config["kernel.randomize_va_space"], 2, "ASLR stays pinned");
    assert.equal(e.provenance!.accel, "tcg");
  }
  // Only runtime parameters change: every evaluation used the same cached image, built at most once.
  assert.equal(new Set(evs.map((e) => e.provenance!.image)).size, 1);
  const builds = (out + resumed.stdout).match(/note: building guest image/g)?.length ?? 0;
  assert.ok(builds <= 1, `the image was built ${builds} times`);

  const best = spawnSync(process.execPath, [...bin, "best", store], { encoding: "utf8", timeout: 60_000 });
  assert.equal(best.status, 0, best.stderr);
  assert.match(best.stdout, /## sysctl\.conf fragment/);
  const csv = join(dir, "study.csv");
  const exp = spawnSync(process.execPath, [...bin, "export", store, "--out", csv], { encoding: "utf8", timeout: 60_000 });
  assert.equal(exp.status, 0, exp.stderr);
  assert.equal(readDataset(csv).table.numRows(), 3);
  assert.ok(existsSync(csv));
  rmSync(dir, { recursive: true });
});
