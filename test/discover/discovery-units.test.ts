// The pure parts of runtime discovery: type inference, the probe plan, the discovery markers and the
// job file written from a result (validated by the real job loader and the run loop's job check).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseJob } from "../../harness/jobs/job";
import { runnableJob } from "../../harness/run/runnable-job";
import { checkRoots, decodeDump, inferRuntimeType, parameterName, parseDiscoveryMarkers, probeSequences, spaceJobText, spaceParameters, summarizeDiscovery, type DiscoveryResult } from "../../harness/discover";

test("types: 0/1 boolean, integers, tuples, sysfs choices, strings, write-only", () => {
  assert.deepEqual(inferRuntimeType("0\n"), { kind: "boolean", default: 0 });
  assert.deepEqual(inferRuntimeType("1"), { kind: "boolean", default: 1 });
  assert.deepEqual(inferRuntimeType("60\n"), { kind: "integer", default: 60n });
  assert.deepEqual(inferRuntimeType("-1\n"), { kind: "integer", default: -1n });
  assert.deepEqual(inferRuntimeType("18446744073709551615\n"), { kind: "integer", default: 18446744073709551615n });
  assert.deepEqual(inferRuntimeType("4\t4\t1\t7\n"), { kind: "tuple", default: "4\t4\t1\t7", parts: [4n, 4n, 1n, 7n] });
  assert.deepEqual(inferRuntimeType("always [madvise] never\n"), { kind: "choice", default: "madvise", values: ["always", "madvise", "never"] });
  assert.deepEqual(inferRuntimeType("|/usr/share/apport/apport %p\n"), { kind: "string", default: "|/usr/share/apport/apport %p" });
  assert.equal(inferRuntimeType("007").kind, "string"); // would not read back as written
  assert.equal(inferRuntimeType("1\n2\n").kind, "string");
  assert.equal(inferRuntimeType("").kind, "string");
  assert.deepEqual(inferRuntimeType(undefined), { kind: "write-only" });
});

test("probe plan: the default scaled by 10 both ways, booleans try 2, within 64 bits", () => {
  const [up, down] = probeSequences("integer", 60n);
  assert.equal(up!.direction, "up");
  assert.deepEqual(up!.values.slice(0, 3), [600n, 6000n, 60000n]);
  assert.ok(up!.values.at(-1)! <= 2n ** 64n - 1n && up!.values.at(-1)! * 10n > 2n ** 64n - 1n);
  assert.deepEqual(down!.values.slice(0, 5), [6n, 0n, -1n, -10n, -100n]);
  assert.ok(down!.values.at(-1)! >= -(2n ** 63n));
  assert.deepEqual(probeSequences("boolean", 0n, 4).map((s) => s.values), [[1n, 2n, 20n, 200n], [-1n, -10n, -100n, -1000n]]);
  assert.deepEqual(probeSequences("boolean", 1n, 3).map((s) => s.values), [[2n, 20n, 200n], [0n, -1n, -10n]]);
  assert.deepEqual(probeSequences("integer", -5n, 3).map((s) => s.values), [[0n, 1n, 10n], [-50n, -500n, -5000n]]);
});

test("markers: dump chunks, probe outcomes, and anything else is an error", () => {
  const dump = Buffer.from("\x1e/proc/sys/vm/swappiness\x1f60\n\x1e/proc/sys/vm/drop_caches\x1f\x1d\x1e/proc/sys/kernel/x\x1fpart\x1d", "latin1").toString("hex");
  const m = parseDiscoveryMarkers([
    "@@WF stage agent@@", "@@WF module pvpanic ok@@", `@@WF dump ${dump.slice(0, 20)}@@\r`, `@@WF dump ${dump.slice(20)}@@`, `@@WF dumpend ${dump.length / 2}@@`,
    "@@WF p 0 s@@", "@@WF p 0 ok@@", "@@WF p 1 differs 215@@", "@@WF p 2 rejected EINVAL@@", "@@WF p 3 differs x@@", "@@WF p 4 s@@", "@@WF p 2 restore-failed@@",
    "@@WF p 5 differs $(reboot)@@", "@@WF result x=1@@", "@@WF stage done@@",
  ]);
  assert.equal(m.agent, true);
  assert.equal(m.done, true);
  assert.equal(m.dumpBytes, dump.length / 2);
  assert.deepEqual(decodeDump(Buffer.from(m.dumpHex, "hex")), [
    { path: "/proc/sys/vm/swappiness", content: "60\n" }, { path: "/proc/sys/vm/drop_caches" }, { path: "/proc/sys/kernel/x" },
  ]);
  assert.equal(m.probes.get(0)!.status, "accepted");
  assert.deepEqual({ ...m.probes.get(1)!, atMs: undefined }, { status: "differs", readback: "215", atMs: undefined });
  const p2 = m.probes.get(2)!;
  const p3 = m.probes.get(3)!;
  assert.equal(p2.status === "rejected" ? p2.errno : p2.status, "EINVAL");
  assert.equal(p3.status === "differs" ? p3.readback : p3.status, undefined);
  assert.equal(m.probes.get(4)!.status, "started");
  assert.deepEqual(m.restoreFailed, [2]);
  assert.equal(m.errors.length, 2);
});

test("roots: /proc/sys subtrees and /sys subtrees only", () => {
  assert.deepEqual(checkRoots(["/proc/sys/vm/", "/sys/kernel/mm"]), ["/proc/sys/vm", "/sys/kernel/mm"]);
  assert.throws(() => checkRoots(["/etc"]), /discovery root "\/etc" is not valid: give \/proc\/sys/);
  assert.throws(() => checkRoots(["/proc/sys/../../etc"]), /not valid/);
  assert.throws(() => checkRoots(["/sys"]), /too broad/);
});

test("names: dotted sysctl names when they map back, explicit paths otherwise", () => {
  assert.deepEqual(parameterName("/proc/sys/vm/swappiness"), { name: "vm.swappiness", explicit: false });
  assert.deepEqual(parameterName("/proc/sys/net/ipv4/conf/eth0.5/forwarding"), { name: "proc.net.ipv4.conf.eth0.5.forwarding", explicit: true });
  assert.deepEqual(parameterName("/sys/kernel/mm/transparent_hugepage/enabled"), { name: "sys.kernel.mm.transparent_hugepage.enabled", explicit: true });
});

/** A result as discoverRuntime returns it (the real one is checked in discover-vm.test.ts). */
function fakeResult(): DiscoveryResult {
  return {
    kernel: "test-kernel", accel: "tcg", roots: ["/proc/sys/vm", "/sys/kernel/mm"], boots: 3, crashes: 1, notProbed: 0, unrestorable: [], notes: [],
    timings: { listS: 1, probeS: 2, totalS: 3 },
    parameters: [
      { path: "/proc/sys/vm/swappiness", inferred: { kind: "integer", default: 60n }, kind: "integer", min: 0n, max: 60n, probes: 4 },
      { path: "/proc/sys/vm/user_reserve_kbytes", inferred: { kind: "integer", default: 131072n }, kind: "integer", min: 0n, max: 13107200000000000000n, probes: 20 },
      { path: "/proc/sys/vm/oom_dump_tasks", inferred: { kind: "boolean", default: 1 }, kind: "boolean", min: 0n, max: 1n, probes: 3 },
      { path: "/proc/sys/vm/min_free_kbytes", inferred: { kind: "integer", default: 2747n }, kind: "integer", min: 274n, max: 274700n, crashUp: 2747000n, probes: 5 },
      { path: "/proc/sys/vm/mmap_rnd_bits", inferred: { kind: "integer", default: 28n }, kind: "fixed-integer", min: 28n, max: 28n, probes: 2 },
      { path: "/proc/sys/vm/lowmem_reserve_ratio", inferred: { kind: "tuple", default: "256\t256\t32", parts: [256n, 256n, 32n] }, kind: "tuple", probes: 0 },
      { path: "/proc/sys/vm/drop_caches", inferred: { kind: "write-only" }, kind: "write-only", probes: 0 },
      { path: "/sys/kernel/mm/transparent_hugepage/enabled", inferred: { kind: "choice", default: "always", values: ["always", "madvise", "never"] }, kind: "choice", probes: 0 },
    ],
    probes: [
      { path: "/proc/sys/vm/min_free_kbytes", direction: "up", value: "2747000", outcome: "crashed", crash: "panic", attributedBy: "marker", boot: 2 },
      { path: "/proc/sys/vm/swappiness", direction: "up", value: "600", outcome: "rejected", errno: "EINVAL", boot: 2 },
    ],
  };
}

test("the written job file loads with the job loader and passes the run loop's checks", () => {
  const r = fakeResult();
  const text = spaceJobText(r, { kernel: {}, command: "wayfinder discover" });
  const job = parseJob(text, "space.yaml");
  const rj = runnableJob(job);
  const byName = Object.fromEntries(job.parameters.map((p) => [p.name, p]));
  assert.deepEqual(Object.keys(byName).sort(), ["sys.kernel.mm.transparent_hugepage.enabled", "vm.min_free_kbytes", "vm.oom_dump_tasks", "vm.swappiness", "vm.user_reserve_kbytes"]);
  assert.deepEqual(byName["vm.swappiness"], { name: "vm.swappiness", phase: "runtime", type: "integer", min: 0, max: 60, default: 60 });
  assert.equal((byName["vm.user_reserve_kbytes"] as { max: number }).max, Number.MAX_SAFE_INTEGER);
  assert.equal((byName["vm.user_reserve_kbytes"] as { scale?: string }).scale, "log");
  assert.deepEqual(byName["vm.oom_dump_tasks"], { name: "vm.oom_dump_tasks", phase: "runtime", type: "boolean", values: ["1", "0"], default: "1" });
  assert.equal(rj.target.runtime.paths["sys.kernel.mm.transparent_hugepage.enabled"], "/sys/kernel/mm/transparent_hugepage/enabled");
  assert.match(text, /# crash bound: \/proc\/sys\/vm\/min_free_kbytes up at 2747000/);
  assert.match(text, /#   \/proc\/sys\/vm\/mmap_rnd_bits: integer 28: no other value accepted/);
  assert.match(text, /#   \/proc\/sys\/vm\/drop_caches: write-only/);
  const s = summarizeDiscovery(r);
  assert.deepEqual(s.types, { boolean: 1, integer: 3, tuple: 1, choice: 1, string: 0, "write-only": 1, "fixed-integer": 1, total: 8 });
  assert.equal(s.inSpace, 5);
  assert.deepEqual(s.crashes, ["/proc/sys/vm/min_free_kbytes=2747000 (panic)"]);
});

test("with a template, its objective and target are kept and its runtime parameters replaced", () => {
  const template = `name: t
objective: { metric: ops, direction: max }
vary: [boot]
parameters:
  - { name: vm.dirty_ratio, phase: runtime, type: integer, min: 1, max: 50, default: 20 }
  - { name: nohz, phase: boot, type: choice, values: ["on", "off"], default: "on" }
target:
  benchmark: { run: "echo ops 1", metrics: [{ name: ops, pattern: 'ops (\\d+)' }] }
`;
  const text = spaceJobText(fakeResult(), { kernel: {}, template: { text: template, file: "t.yaml" } });
  const job = parseJob(text, "out.yaml");
  runnableJob(job);
  assert.equal(job.objectives[0]!.metric, "ops");
  assert.deepEqual(job.vary.slice().sort(), ["boot", "runtime"]);
  const names = job.parameters.map((p) => p.name);
  assert.ok(names.includes("nohz") && names.includes("vm.swappiness") && !names.includes("vm.dirty_ratio"), names.join(","));
  assert.equal(spaceParameters(fakeResult()).length, 5);
});

test("wayfinder discover: bad input exits 2 with the option, the value and what is valid, before anything boots", async () => {
  const { spawnSync } = await import("node:child_process");
  const cli = (...args: string[]) => spawnSync(process.execPath, ["bin/wayfinder.js", "discover", ...args], { encoding: "utf8", timeout: 60_000 });
  const cases: [string[], RegExp][] = [
    [["--only", "/etc"], /--only "\/etc" is not valid: give \/proc\/sys or a directory under it/],
    [["--sys", "/proc/sys"], /--sys "\/proc\/sys" is not valid: give a \/sys subtree/],
    [["--kernel", "/nonexistent/bzImage"], /--kernel "\/nonexistent\/bzImage" does not exist/],
    [["--max-steps", "ten"], /--max-steps "ten" is not valid; expected a positive integer/],
    [["--frobnicate"], /unknown argument "--frobnicate"/],
  ];
  for (const [args, message] of cases) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});
