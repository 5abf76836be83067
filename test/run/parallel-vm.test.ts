// End-to-end with REAL VMs (QEMU under TCG, -icount) and the real random searcher: `wayfinder run
// --parallel 2` on the small sysctl job. While it runs, the test reads the QEMU processes under the run
// from /proc and checks that two VMs run at once, each (every thread) confined to its own slot's CPU.
// Then Ctrl-C (SIGINT) with two evaluations in flight: no QEMU survives, both stay in flight in the
// store, and `--resume --parallel 2` finishes the budget with every evaluation recorded exactly once.
// About 6 short VM boots, 1.5-3 minutes on this 2-core machine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStudyStore, configKey } from "../../harness/store";
import { findQemu } from "../../harness/vm/preflight";
import { readCpuTopology } from "../../harness/queue/cpu-topology";

const JOB = "test/run/fixtures/vm-sysctl-job.yaml";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function qemuProblem(): string | undefined {
  try {
    findQemu();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** QEMU processes descended from `root`, with the CPU list each of their threads may run on. */
function qemuUnder(root: number): Array<{ pid: number; threadCpus: string[] }> {
  const ps = spawnSync("ps", ["-eo", "pid=,ppid=,comm="], { encoding: "utf8" }).stdout;
  const rows = ps.split("\n").map((l) => l.trim().split(/\s+/)).filter((r) => r.length >= 3).map(([pid, ppid, comm]) => ({ pid: Number(pid), ppid: Number(ppid), comm }));
  const under = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of rows) if (!under.has(r.pid) && under.has(r.ppid)) { under.add(r.pid); grew = true; }
  }
  return rows.filter((r) => under.has(r.pid) && r.comm.startsWith("qemu-system")).flatMap((r) => {
    try {
      const threadCpus = readdirSync(`/proc/${r.pid}/task`).map((t) => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${r.pid}/task/${t}/status`, "utf8"))![1]);
      return [{ pid: r.pid, threadCpus }];
    } catch {
      return []; // exited meanwhile
    }
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\bZ\b/.test(spawnSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).stdout);
  } catch {
    return false;
  }
}

test("real VMs: --parallel 2 runs two pinned VMs with distinct configurations; Ctrl-C and --resume lose or repeat nothing", { timeout: 600_000 }, async (t) => {
  const problem = qemuProblem();
  if (problem) {
    t.skip(`cannot run VMs here: ${problem}`);
    return;
  }
  const cpus = readCpuTopology();
  if (cpus.length < 2) {
    t.skip(`this process may run on ${cpus.length} CPU only: two slots cannot be pinned apart`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "wf-par-vm-"));
  const store = join(dir, "study.sqlite");
  const cache = join(process.cwd(), ".cache/wayfinder");
  const child = spawn(process.execPath, ["bin/wayfinder.js", "run", JOB, "--budget", "6", "--seed", "5", "--parallel", "2", "--store", store, "--cache", cache], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));

  // Watch until two VMs run at once after evaluation 2 started (so some evaluations are already done).
  let pair: Array<{ pid: number; threadCpus: string[] }> = [];
  const deadline = Date.now() + 400_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const q = qemuUnder(child.pid!);
    if (q.length === 2 && /evaluation 3 started/.test(out)) { pair = q; break; }
    await sleep(300);
  }
  assert.equal(pair.length, 2, `never saw two VMs at once after evaluation 3 started; output:\n${out}`);
  // Every QEMU thread is confined to one CPU, and the two VMs to different ones.
  const cpuOf = pair.map((q) => [...new Set(q.threadCpus)]);
  for (const c of cpuOf) assert.equal(c.length, 1, `all threads of one QEMU share one CPU list: ${c.join(" | ")}`);
  assert.ok(cpuOf.every((c) => /^\d+$/.test(c[0])), `each QEMU is pinned to a single CPU: ${cpuOf.join(", ")}`);
  assert.notEqual(cpuOf[0][0], cpuOf[1][0], "the two VMs run on different CPUs");

  await sleep(1500);
  child.kill("SIGINT");
  const code = await exited;
  assert.equal(code, 130, out);
  for (let i = 0; i < 40 && pair.some((q) => alive(q.pid)); i++) await sleep(250);
  assert.deepEqual(pair.filter((q) => alive(q.pid)).map((q) => q.pid), [], "no QEMU survives Ctrl-C");
  assert.match(out, /isolation: slot 0: CPU \d+ \(core [^,]+, NUMA node \d+(, L2 [^,]+)?, LLC [^)]+\).*kernel allows CPUs \d+\]/);
  assert.match(out, /isolation: slot 1: CPU \d+ /);
  assert.match(out, /continue with: wayfinder run --resume/);

  let s = SqliteStudyStore.open(store);
  const before = s.evaluations();
  s.close();
  const interrupted = before.filter((e) => e.state === "in-flight");
  assert.ok(before.filter((e) => e.state === "done").length >= 2, JSON.stringify(before.map((e) => e.state)));
  assert.ok(interrupted.length >= 1 && interrupted.length <= 2, `in flight at Ctrl-C: ${interrupted.length}`);

  const resumed = spawnSync(process.execPath, ["bin/wayfinder.js", "run", "--resume", store, "--parallel", "2", "--cache", cache], { encoding: "utf8", timeout: 400_000 });
  assert.equal(resumed.status, 0, resumed.stdout + resumed.stderr);
  s = SqliteStudyStore.open(store);
  const evs = s.evaluations();
  s.close();
  assert.equal(evs.length, 6, "the budget of 6 is met exactly");
  assert.ok(evs.every((e) => e.state === "done"));
  assert.equal(new Set(evs.map((e) => configKey(e.config))).size, 6, "distinct configurations, none evaluated twice");
  for (const e of interrupted) assert.equal(evs[e.seq].attempts, 2, `evaluation ${e.seq} was re-run once after Ctrl-C`);
  assert.equal(evs.filter((e) => e.attempts > 1).length, interrupted.length);
  const slots = new Set<number>();
  for (const e of evs) {
    assert.ok(e.outcome!.ok, `evaluation ${e.seq}: ${JSON.stringify(e.outcome)}`);
    assert.equal((e.outcome as { value: number }).value, Number(e.config["net.core.somaxconn"]) + Number(e.config["vm.swappiness"]), `evaluation ${e.seq} measured its own configuration`);
    const slot = e.provenance!.slot as { slot: number; parallel: number; cpu: number; allowedCpus: string; numaNode: number; llc: string };
    assert.equal(slot.parallel, 2);
    assert.equal(slot.allowedCpus, String(slot.cpu), "the slot process was confirmed on its CPU");
    assert.equal(typeof slot.numaNode, "number");
    assert.ok(slot.llc.length > 0);
    slots.add(slot.slot);
  }
  assert.deepEqual([...slots].sort(), [0, 1], "both slots evaluated");
  rmSync(dir, { recursive: true });
});

test("real VMs: SIGKILL of `wayfinder run --parallel 2` with two VMs running leaves no QEMU and no slot process behind", { timeout: 300_000 }, async (t) => {
  const problem = qemuProblem();
  if (problem) {
    t.skip(`cannot run VMs here: ${problem}`);
    return;
  }
  if (readCpuTopology().length < 2) {
    t.skip("this process may run on 1 CPU only: two slots cannot be pinned apart");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "wf-par-kill-"));
  const store = join(dir, "study.sqlite");
  const child = spawn(process.execPath, ["bin/wayfinder.js", "run", JOB, "--budget", "2", "--seed", "6", "--parallel", "2", "--store", store, "--cache", join(process.cwd(), ".cache/wayfinder")], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise((r) => child.on("exit", r));
  let qemu: number[] = [];
  const slotPids = () => [...out.matchAll(/\[slot process (\d+):/g)].map((m) => Number(m[1]));
  for (const deadline = Date.now() + 200_000; Date.now() < deadline && child.exitCode === null; await sleep(300)) {
    qemu = qemuUnder(child.pid!).map((q) => q.pid);
    if (qemu.length === 2) break;
  }
  assert.equal(qemu.length, 2, `two VMs never ran at once; output:\n${out}`);
  const slots = slotPids();
  assert.equal(slots.length, 2, out);
  child.kill("SIGKILL");
  await exited;
  for (let i = 0; i < 60 && [...qemu, ...slots].some(alive); i++) await sleep(250);
  assert.deepEqual(qemu.filter(alive), [], "no orphan QEMU after SIGKILL of the run");
  assert.deepEqual(slots.filter(alive), [], "no orphan slot process after SIGKILL of the run");
  const s = SqliteStudyStore.open(store);
  assert.deepEqual(s.evaluations().map((e) => e.state), ["in-flight", "in-flight"], "both evaluations stay in flight for --resume");
  s.close();
  rmSync(dir, { recursive: true });
});
