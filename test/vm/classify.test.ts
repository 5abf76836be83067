import { test } from "node:test";
import assert from "node:assert/strict";
import { classifyRun, readbackMatches, type RunTrace } from "../../harness/vm/classify";
import { buildConfigLayer } from "../../harness/vm/config-layer";
import { parseMarkers } from "../../harness/vm/markers";
import type { ParamBinding } from "../../harness/vm/evaluator";
import { sampleTarget } from "./fixtures";

const hex = (s: string) => Buffer.from(s).toString("hex");
const target = sampleTarget();
const params: ParamBinding[] = [
  { name: "net.core.somaxconn", phase: "runtime" },
  { name: "vm.swappiness", phase: "runtime", required: false },
  { name: "clocksource", phase: "boot" },
  { name: "maxclients", phase: "application" },
  { name: "appendonly", phase: "application" },
];
const layer = buildConfigLayer(target, params, { "net.core.somaxconn": 4096, "vm.swappiness": 10, clocksource: "hpet", maxclients: 64, appendonly: "no" });

function trace(lines: string[], extra: Partial<RunTrace> = {}): RunTrace {
  return { exitCode: 0, signal: null, stderr: "", console: "", markers: parseMarkers(lines), ...extra };
}
const boot = ["@@WF stage agent@@", "@@WF stage modules@@"];
const okParams = ["@@WF param 0 written " + hex("4096\n") + "@@", "@@WF param 1 written " + hex("10\n") + "@@", "@@WF stage params@@"];

test("the config layer: one file per runtime value, rendered app config, command line", () => {
  const files = new Map(layer.entries.map((e) => [e.path, e.type === "file" ? String(e.data) : ""]));
  assert.equal(files.get("/wf/rt/0000.path"), "/proc/sys/net/core/somaxconn");
  assert.equal(files.get("/wf/rt/0000.value"), "4096");
  assert.ok(files.has("/wf/rt/0000.req"));
  assert.ok(!files.has("/wf/rt/0001.req"), "vm.swappiness is not required");
  assert.equal(files.get("/etc/app.conf"), "maxclients 64\nappendonly no\n");
  assert.match(layer.append, / clocksource=hpet$/);
});

test("ok: metric from the output, statuses from the markers and the console", () => {
  const c = classifyRun(
    trace([...boot, ...okParams, "@@WF stage app-ready@@", "@@WF output " + hex("rps: 120\nrps: 80\n") + "@@", "@@WF stage done@@"]),
    layer, target, ["clocksource"],
  );
  assert.deepEqual(c.outcome, { ok: true, value: 100 });
  assert.equal(c.paramStatus["net.core.somaxconn"], "applied");
  assert.equal(c.paramStatus.clocksource, "applied");
});

test("a required parameter rejected by the kernel is a config failure naming it", () => {
  const c = classifyRun(trace([...boot, "@@WF param 0 rejected@@", "@@WF stage params@@", "@@WF fail config param-0000@@", "@@WF stage done@@"]), layer, target, []);
  assert.equal(c.outcome.ok, false);
  assert.ok(!c.outcome.ok && c.outcome.phase === "config");
  assert.match(!c.outcome.ok ? c.outcome.evidence ?? "" : "", /net\.core\.somaxconn = "4096" was rejected/);
  assert.equal(c.paramStatus["net.core.somaxconn"], "rejected");
});

test("read back differently; unknown boot parameters are reported as rejected", () => {
  const c = classifyRun(
    trace([...boot, "@@WF param 0 written " + hex("4095\n") + "@@", "@@WF stage params@@"], { console: 'Unknown kernel command line parameters "clocksource=hpet", will be passed to user space.' }),
    layer, target, ["clocksource"],
  );
  assert.equal(c.paramStatus["net.core.somaxconn"], "readback-differs");
  assert.equal(c.paramStatus.clocksource, "rejected");
});

test("panic during boot, panic later, hang, external kill, abort, benchmark and app failures", () => {
  const phase = (t: RunTrace) => {
    const o = classifyRun(t, layer, target, []).outcome;
    return o.ok ? "ok" : o.phase;
  };
  const panic = "[ 1.0] Kernel panic - not syncing: VFS: Unable to mount root fs\n";
  assert.equal(phase(trace([], { console: panic, exitCode: 1 })), "boot");
  assert.equal(phase(trace([...boot, "@@WF stage bench-start@@"], { console: "Kernel panic - not syncing: sysrq triggered crash\n", exitCode: 1 })), "runtime");
  assert.equal(phase(trace([...boot], { killedBy: "timeout", signal: "SIGKILL", exitCode: null })), "timeout");
  assert.equal(phase(trace([...boot], { signal: "SIGKILL", exitCode: null })), "harness");
  assert.equal(phase(trace([...boot], { killedBy: "abort", signal: "SIGKILL", exitCode: null })), "harness");
  assert.equal(phase(trace([...boot, ...okParams, "@@WF fail benchmark exit-3@@", "@@WF stage done@@"])), "benchmark");
  assert.equal(phase(trace([...boot, ...okParams, "@@WF fail runtime not-ready@@", "@@WF stage done@@"])), "runtime");
  assert.equal(phase(trace([...boot, ...okParams, "@@WF stage app-ready@@", "@@WF output " + hex("nothing") + "@@", "@@WF stage done@@"])), "benchmark");
  assert.equal(phase(trace([], { spawnError: "spawn qemu ENOENT" })), "harness");
  assert.equal(phase(trace([], { exitCode: 1, stderr: "qemu: could not load kernel" })), "harness");
  assert.equal(phase(trace(["@@WF stage agent@@", "garbage"])), "harness");
  assert.equal(phase(trace([...boot], { exitCode: 0 })), "runtime");
  assert.equal(phase(trace([], { exitCode: 0, console: "[0.1] something\n" })), "boot");
});

test("sysfs choice lists count as applied when the value is selected", () => {
  assert.ok(readbackMatches("madvise", "always [madvise] never\n"));
  assert.ok(!readbackMatches("never", "always [madvise] never\n"));
  assert.ok(readbackMatches("4096 87380 6291456", "4096\t87380\t6291456\n"));
});

test("a value with no binding, and a runtime path outside /proc/sys or /sys, are errors", () => {
  assert.throws(() => buildConfigLayer(target, params, { unknown: 1 }), /no parameter binding/);
  assert.throws(() => buildConfigLayer(target, [{ name: "x", phase: "runtime", path: "/etc/../proc/sys/x" }], { x: 1 }), /not a file under \/proc\/sys/);
  assert.throws(() => buildConfigLayer(target, [{ name: "x", phase: "runtime", path: "/proc/sys/../../etc/passwd" }], { x: 1 }), /not a file under/);
});

test("hostile values stay data: runtime value verbatim in its own file, boot value refused on the host", () => {
  const evil = "$(touch /tmp/pwned); reboot\n../../x";
  const l = buildConfigLayer(target, params, { "net.core.somaxconn": evil, clocksource: evil });
  const value = l.entries.find((e) => e.path === "/wf/rt/0000.value");
  assert.equal(value && value.type === "file" ? String(value.data) : "", evil);
  assert.equal(l.paramStatus.clocksource, "rejected");
  assert.ok(!l.append.includes("touch"));
});
