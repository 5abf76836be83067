/**
 * Real VMs: the Debian kernel under QEMU (TCG, -icount) with a busybox guest. Each test boots once and
 * checks a classification, the per-parameter statuses or the process hygiene. About 20-50 s per boot
 * on a loaded 2-core machine.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { evaluate, type EvaluationResult, type ParamBinding } from "../../harness/vm/evaluator";
import { liveQemuPids } from "../../harness/vm/qemu-process";
import { guestTarget } from "./guest-target";

const haveQemu = spawnSync("qemu-system-x86_64", ["-version"]).status === 0;
const skip = haveQemu ? false : "qemu-system-x86_64 is not installed (Debian package qemu-system-x86)";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function failure(r: EvaluationResult): { phase: string; evidence: string } {
  assert.equal(r.outcome.ok, false, `expected a failure, got ${JSON.stringify(r.outcome)}`);
  return r.outcome.ok ? { phase: "", evidence: "" } : { phase: r.outcome.phase, evidence: r.outcome.evidence ?? "" };
}

// Fits the 64-character hostname; the newline variants go where newlines are kept (app config) or cut.
const hostile = "$(touch /tmp/wf-pwned);`touch /tmp/wf-pwned`;../../etc/passwd";
const hostileNl = "x\n$(touch /tmp/wf-pwned); touch /tmp/wf-pwned\n../../etc/passwd";

test("ok run: statuses applied / rejected / missing / read back differently, hostile values stay data", { skip }, async () => {
  rmSync("/tmp/wf-pwned", { force: true });
  const params: ParamBinding[] = [
    { name: "vm.swappiness", phase: "runtime" },
    { name: "kernel.hostname", phase: "runtime" },
    { name: "net.ipv4.tcp_rmem", phase: "runtime" },
    { name: "thp", phase: "runtime" },
    { name: "kernel.domainname", phase: "runtime", required: false },
    { name: "vm.dirty_ratio", phase: "runtime", required: false },
    { name: "net.ipv4.no_such_knob", phase: "runtime", required: false },
    { name: "fs.pipe-max-size", phase: "runtime", required: false },
    { name: "clocksource", phase: "boot" },
    { name: "nowatchdog", phase: "boot" },
    { name: "wfbogus", phase: "boot", required: false },
    { name: "greeting", phase: "application" },
  ];
  const target = guestTarget(
    [
      "test ! -e /tmp/wf-pwned || { echo 'a value was executed in the guest'; exit 9; }",
      "echo hostname=$(cat /proc/sys/kernel/hostname | od -An -tx1 | tr -d ' \\n')",
      "echo appconf=$(od -An -tx1 /etc/app.conf | tr -d ' \\n')",
      "echo score=42",
    ].join("\n"),
    { configs: [{ path: "/etc/app.conf", format: "redis", template: "greeting {{greeting}}\n" }], flags: ["nowatchdog"] },
  );
  const r = await evaluate({
    target, params,
    config: {
      "vm.swappiness": 17, "kernel.hostname": hostile, "net.ipv4.tcp_rmem": "4096 65536 1048576", thp: "madvise",
      "kernel.domainname": hostileNl, "vm.dirty_ratio": -5, "net.ipv4.no_such_knob": 1, "fs.pipe-max-size": 5000,
      clocksource: "hpet", nowatchdog: "y", wfbogus: "1", greeting: hostileNl,
    },
  });
  assert.deepEqual(r.outcome, { ok: true, value: 42 }, r.logExcerpt);
  assert.deepEqual(r.paramStatus, {
    "vm.swappiness": "applied",
    "kernel.hostname": "applied",
    "net.ipv4.tcp_rmem": "applied",
    thp: "applied",
    "kernel.domainname": "readback-differs",
    "vm.dirty_ratio": "rejected",
    "net.ipv4.no_such_knob": "missing",
    "fs.pipe-max-size": "readback-differs",
    clocksource: "applied",
    nowatchdog: "applied",
    wfbogus: "rejected",
    greeting: "applied",
  });
  assert.ok(!existsSync("/tmp/wf-pwned"), "a value was executed on the host");
  // What the guest holds is the value, byte for byte (the bench script printed it hex-encoded).
  const hex = (x: string) => Buffer.from(x).toString("hex");
  assert.match(r.benchmarkOutput ?? "", new RegExp(`hostname=${hex(hostile + "\n")}\n`));
  const conf = 'greeting "x\\x0a$(touch /tmp/wf-pwned); touch /tmp/wf-pwned\\x0a../../etc/passwd"\n';
  assert.match(r.benchmarkOutput ?? "", new RegExp(`appconf=${hex(conf)}\n`));
  assert.equal(r.provenance.accel, "tcg");
  assert.equal(r.provenance.icount, true);
  assert.match(r.provenance.kernel, /linux-image-.*cloud-amd64/);
  assert.ok(r.timings.bootS > 0 && r.timings.totalS >= r.timings.bootS);
  assert.deepEqual(liveQemuPids(), []);
});

test("a required sysctl the kernel rejects fails as config, naming it, without running the benchmark", { skip }, async () => {
  const r = await evaluate({
    target: guestTarget("echo benchmark-ran; echo score=1"),
    params: [{ name: "vm.swappiness", phase: "runtime" }, { name: "vm.dirty_ratio", phase: "runtime" }],
    config: { "vm.swappiness": 10, "vm.dirty_ratio": 1000 },
  });
  const f = failure(r);
  assert.equal(f.phase, "config");
  assert.match(f.evidence, /vm\.dirty_ratio = "1000" was rejected/);
  assert.equal(r.paramStatus["vm.swappiness"], "applied");
  assert.equal(r.paramStatus["vm.dirty_ratio"], "rejected");
  assert.equal(r.timings.benchmarkS, 0);
  assert.ok(!r.notes.some((n) => n.startsWith("building guest image")), "runtime values must not rebuild the image");
});

test("a required boot value that is unsafe is refused on the host before anything boots", { skip }, async () => {
  const t0 = Date.now();
  const r = await evaluate({ target: guestTarget("echo score=1"), params: [{ name: "clocksource", phase: "boot" }], config: { clocksource: "hpet init=/bin/sh" } });
  const f = failure(r);
  assert.equal(f.phase, "config");
  assert.match(f.evidence, /clocksource=.*unsafe/);
  assert.equal(r.paramStatus.clocksource, "rejected");
  assert.ok(Date.now() - t0 < 15_000, "no VM was booted");
});

test("a guest kernel panic ends QEMU at once (pvpanic) and is classified with the panic line", { skip }, async () => {
  const r = await evaluate({ target: guestTarget("echo c > /proc/sysrq-trigger; sleep 5; echo score=1"), params: [], config: {} });
  const f = failure(r);
  assert.equal(f.phase, "runtime");
  assert.match(f.evidence, /kernel panic.*Kernel panic - not syncing/s);
  assert.deepEqual(liveQemuPids(), []);
});

test("a hung benchmark is killed at its timeout and classified as timeout", { skip }, async () => {
  const r = await evaluate({ target: guestTarget("while :; do :; done", { timeouts: { benchmarkS: 8 } }), params: [], config: {} });
  const f = failure(r);
  assert.equal(f.phase, "timeout");
  assert.match(f.evidence, /benchmark did not finish within its timeout of 8 s/);
  assert.match(f.evidence, /last stage reached: bench-start/);
  assert.deepEqual(liveQemuPids(), []);
});

test("a failing benchmark is a benchmark failure with its output as evidence", { skip }, async () => {
  const r = await evaluate({ target: guestTarget("echo 'connection refused (simulated)'; exit 3"), params: [], config: {} });
  const f = failure(r);
  assert.equal(f.phase, "benchmark");
  assert.match(f.evidence, /exit-3/);
  assert.match(f.evidence, /connection refused \(simulated\)/);
});

test("a guest flooding its console is bounded in memory and stopped by the timeout", { skip }, async () => {
  const before = process.memoryUsage().rss;
  const r = await evaluate({
    target: guestTarget("while :; do echo 'flood flood flood flood flood flood flood flood flood flood' > /dev/ttyS0; done", { timeouts: { benchmarkS: 15 } }),
    params: [],
    config: {},
  });
  const f = failure(r);
  assert.equal(f.phase, "timeout");
  assert.ok(r.logExcerpt.length < 16 * 1024, `log excerpt is ${r.logExcerpt.length} characters`);
  assert.match(r.logExcerpt, /console \((\d+) bytes/);
  const bytes = Number(/console \((\d+) bytes/.exec(r.logExcerpt)![1]);
  assert.ok(bytes > 128 * 1024, `the guest wrote only ${bytes} bytes, less than the capture bound; the flood did not happen`);
  assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, "host memory grew by more than 64 MiB");
});

test("QEMU killed from outside is a harness failure, and nothing is left running", { skip }, async () => {
  const target = guestTarget("while :; do :; done", { timeouts: { benchmarkS: 120 } });
  const pending = evaluate({ target, params: [], config: {} });
  let pid: number | undefined;
  for (let i = 0; i < 600 && pid === undefined; i++) {
    await new Promise((r) => setTimeout(r, 100));
    pid = liveQemuPids()[0];
  }
  assert.ok(pid, "QEMU did not start");
  await new Promise((r) => setTimeout(r, 2000));
  process.kill(pid, "SIGKILL");
  const r = await pending;
  const f = failure(r);
  assert.equal(f.phase, "harness");
  assert.match(f.evidence, /killed by SIGKILL \(not by the harness\)/);
  assert.ok(!alive(pid));
});

test("the host process killed with SIGKILL takes its QEMU with it (no orphan)", { skip }, async () => {
  const script = join(import.meta.dirname, "fixtures-orphan.ts");
  const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const qemuPid = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no QEMU pid from the child: ${out}`)), 120_000);
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /qemu-pid (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  assert.ok(alive(qemuPid));
  child.kill("SIGKILL");
  let gone = false;
  for (let i = 0; i < 50 && !gone; i++) {
    await new Promise((r) => setTimeout(r, 100));
    gone = !alive(qemuPid);
  }
  if (!gone) process.kill(qemuPid, "SIGKILL");
  assert.ok(gone, "QEMU outlived the host process");
});
