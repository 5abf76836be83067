// The Unikraft builder and evaluator on a miniature checkout (mini-checkout.ts): real make, the real Kconfig
// resolver, the real assembler/linker and a real QEMU booting the resulting multiboot image. Each outcome
// class is produced for real: a dropped value, a choice conflict, a wrong type, a compile error, a boot
// failure (the "application" exits instead of answering HTTP), and a success whose measured value is the
// compile-time value the image printed; a second evaluation with the same compile-time values reuses the image.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { WayfinderError } from "../../lib/errors";
import type { Parameter } from "../../lib/space/parameter";
import { createConnection } from "node:net";
import {
  freePort, probeOnce, readUnikraftKconfig, resolveUnikraftPaths, startUnikernel, unikernelQemuArgv, unikraftEvaluator, validateUnikraftTarget, type UnikraftTarget,
} from "../../harness/unikraft/index";
import { makeMiniCheckout } from "./mini-checkout";

const need = ["make", "gcc", "qemu-system-x86_64", "wrk"];
const missing = need.filter((c) => spawnSync("sh", ["-c", `command -v ${c}`], { stdio: "ignore" }).status !== 0);
const kconfiglib = spawnSync("/usr/bin/python3", ["-c", "import kconfiglib"], { stdio: "ignore" }).status === 0;
const why = missing.length ? `missing ${missing.join(", ")} (see scripts/apt-packages.txt)` : !kconfiglib ? "python3-kconfiglib is not installed for /usr/bin/python3 (apt-get install python3-kconfiglib)" : undefined;

const parameters: Parameter[] = [
  { name: "HZ", phase: "compile", type: "choice", values: [100, 300, 1000], default: 100 },
  { name: "LWIP_NUM_TCPCON", phase: "compile", type: "choice", values: [16, 64], default: 64 },
  { name: "LWIP_POOLS", phase: "compile", type: "boolean", default: "n" },
  { name: "ALLOCATOR", phase: "compile", type: "choice", values: ["bbuddy", "tlsf", "both"], default: "bbuddy" },
  { name: "CONNS", phase: "runtime", type: "choice", values: [2, 4], default: 2 },
];
let root = "";
let cache = "";
let target: UnikraftTarget;

before(() => {
  if (why) return;
  root = makeMiniCheckout();
  cache = mkdtempSync(join(tmpdir(), "wf-mini-cache-"));
  target = validateUnikraftTarget({
    kind: "unikraft",
    checkout: { app: "apps/mini", libs: ["lwip"] },
    build: {
      kconfig: { LIBUKDEBUG_TRACEPOINTS: "n" },
      choices: {
        ALLOCATOR: { bbuddy: { LIBUKALLOCBBUDDY: "y" }, tlsf: { LIBTLSF: "y", LIBUKALLOCBBUDDY: "n" }, both: { LIBTLSF: "y", LIBUKALLOCBBUDDY: "y" } },
      },
      jobs: 1,
      timeoutS: 120,
    },
    vm: { memoryMiB: 16, accel: "tcg" },
    benchmark: { tool: "wrk", argv: ["-t1", "-c{{CONNS}}", "-d1s", "http://127.0.0.1:{{PORT}}/"] },
    timeouts: { bootS: 20, benchmarkS: 10 },
  }, { objective: "throughput", params: parameters.map((p) => ({ name: p.name, phase: p.phase })) });
});
after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  if (cache) rmSync(cache, { recursive: true, force: true });
});

const evaluator = () => unikraftEvaluator({ target, parameters, objective: "throughput", cacheDir: cache, env: { WAYFINDER_UNIKRAFT_DIR: root } });
const run = (ev: ReturnType<typeof evaluator>, config: Record<string, string | number>) => ev({ config, seq: 1, repeat: 0, signal: new AbortController().signal });
const base = { HZ: 100, LWIP_NUM_TCPCON: 16, LWIP_POOLS: "n", ALLOCATOR: "bbuddy", CONNS: 2 };

test("the checkout's Config.uk files are read as one Kconfig tree (core, listed libs, app)", (t) => {
  if (why) return t.skip(why);
  const tree = readUnikraftKconfig(resolveUnikraftPaths(target.checkout, { WAYFINDER_UNIKRAFT_DIR: root }));
  assert.equal(tree.symbols.get("HZ")?.type, "int");
  assert.equal(tree.symbols.get("LWIP_NUM_TCPCON")?.type, "int");
  assert.deepEqual(tree.choices[0]?.members, ["LIBUKALLOCBBUDDY", "LIBTLSF"]);
  assert.ok(tree.symbols.has("APPMINI"));
});

test("a buildable configuration: make olddefconfig + make, values kept; the image boots but never answers HTTP: a boot failure with its console", async (t) => {
  if (why) return t.skip(why);
  const ev = evaluator();
  const r = await run(ev, base);
  assert.equal(r.provenance?.buildStatus, "built");
  assert.deepEqual(r.outcome.ok === false && r.outcome.phase, "boot", JSON.stringify(r.outcome));
  assert.equal(r.outcome.ok === false && r.outcome.evidence, "QEMU exited (status 0) before the application answered; console:\nPowered by mini-unikraft\nmini: ops/s: 100");
  assert.deepEqual(r.paramStatus?.HZ, { status: "applied", requested: "100" });
  assert.deepEqual(r.paramStatus?.CONNS, { status: "rendered", requested: "2" });
  const cfg = readFileSync(join(root, "apps/mini/.config"), "utf8");
  assert.match(cfg, /^CONFIG_LWIP_NUM_TCPCON=16$/m);
  assert.match(cfg, /^CONFIG_LIBUKALLOCBBUDDY=y$/m);
  // Same compile-time values, another runtime value: the cached image, no make.
  const again = await run(ev, { ...base, CONNS: 4 });
  assert.equal(again.provenance?.buildStatus, "cached");
  assert.equal(again.provenance?.buildKey, r.provenance?.buildKey);
  assert.ok(existsSync(join(cache, "unikraft-builds", String(r.provenance?.buildKey), "image")));
});

test("the whole path succeeds with a console benchmark: the measured value is the CONFIG_HZ the built image prints", async (t) => {
  if (why) return t.skip(why);
  const consoleTarget = validateUnikraftTarget({
    ...target,
    net: undefined,
    ready: { kind: "console", pattern: "Powered by" },
    benchmark: { tool: "console", metrics: [{ name: "ops", pattern: "ops/s: ([0-9]+)" }] },
  }, { objective: "ops", params: parameters.map((p) => ({ name: p.name, phase: p.phase })) });
  // CONNS fed wrk; with the console tool nothing reads it, so it is not a parameter of this job.
  const ev = unikraftEvaluator({ target: consoleTarget, parameters: parameters.filter((p) => p.name !== "CONNS"), objective: "ops", cacheDir: cache, env: { WAYFINDER_UNIKRAFT_DIR: root } });
  const { CONNS: _c, ...noConns } = base;
  void _c;
  const r = await run(ev, { ...noConns, HZ: 1000 });
  assert.deepEqual(r.outcome, { ok: true, value: 1000 }, r.logExcerpt);
  assert.deepEqual(r.metrics, { ops: 1000 });
  assert.ok((r.timings?.boot ?? -1) >= 0 && (r.timings?.build ?? -1) > 0);
  assert.equal((r.provenance?.qemuArgs as string[]).includes("-netdev"), false, "no network without net:");
});

test("an application that never answers: the probe is not fooled by QEMU accepting on the forwarded port; boot timeout; abort kills QEMU", async (t) => {
  if (why) return t.skip(why);
  const stay = { ...target, build: { ...target.build, kconfig: { LIBUKDEBUG_TRACEPOINTS: "y" } }, timeouts: { bootS: 3, benchmarkS: 10 } };
  const ev = unikraftEvaluator({ target: stay, parameters, objective: "throughput", cacheDir: cache, env: { WAYFINDER_UNIKRAFT_DIR: root } });
  const r = await run(ev, base);
  assert.deepEqual(r.outcome, { ok: false, phase: "boot", evidence: "the application did not answer within 3 s of boot; console:\nPowered by mini-unikraft\nmini: ops/s: 100" });
  // The same image booted directly: a plain TCP connect to the forward succeeds (QEMU accepts), the HTTP probe does not.
  const image = join(cache, "unikraft-builds", String(r.provenance?.buildKey), "image");
  const port = await freePort();
  const { file, args } = unikernelQemuArgv({ qemu: "qemu-system-x86_64", accel: "tcg", memoryMiB: 16, cpus: 1, kernel: image, append: "", hostPort: port, guestPort: 80 });
  const vm = startUnikernel(file, args);
  try {
    let connected = false;
    for (let i = 0; i < 40 && !connected; i++) {
      connected = await new Promise<boolean>((res) => {
        const s = createConnection({ host: "127.0.0.1", port }, () => { s.destroy(); res(true); });
        s.on("error", () => res(false));
      });
      if (!connected) await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(connected, "QEMU listens on the forwarded port");
    assert.equal(await probeOnce({ kind: "http", path: "/" }, port, 1000), false);
    assert.equal(vm.exited(), false);
  } finally {
    vm.kill();
    await vm.exit;
  }
  // Interrupting the run kills the VM promptly and the evaluation reports the interruption.
  const slow = unikraftEvaluator({ target: { ...stay, timeouts: { bootS: 60, benchmarkS: 10 } }, parameters, objective: "throughput", cacheDir: cache, env: { WAYFINDER_UNIKRAFT_DIR: root } });
  const ac = new AbortController();
  const t0 = Date.now();
  setTimeout(() => ac.abort(), 1500);
  await assert.rejects(slow({ config: base, seq: 2, repeat: 0, signal: ac.signal }), /interrupted/);
  assert.ok(Date.now() - t0 < 10_000, `stopped after ${Date.now() - t0} ms`);
});

test("a value olddefconfig drops (unmet dependency) is a bad configuration naming the dependency, not a success", async (t) => {
  if (why) return t.skip(why);
  const r = await run(evaluator(), { ...base, LWIP_POOLS: "y" });
  assert.deepEqual(r.outcome.ok === false && r.outcome.phase, "config");
  assert.match(r.outcome.ok === false ? r.outcome.evidence! : "", /LWIP_POOLS: requested y, got \(not set\) \(its dependencies are unmet \(depends on LIBLWIP && LWIP_POOLS_SUPPORTED\)/);
  assert.equal(r.paramStatus?.LWIP_POOLS?.status, "rejected");
});

test("two members of a choice requested as y, and a value of the wrong type, are bad configurations before any build", async (t) => {
  if (why) return t.skip(why);
  const ev = evaluator();
  const both = await run(ev, { ...base, ALLOCATOR: "both" });
  assert.deepEqual(both.outcome, { ok: false, phase: "config", evidence: "choice choice at unikraft/Config.uk:7: LIBUKALLOCBBUDDY and LIBTLSF are both requested as y" });
  const typed = await run(ev, { ...base, HZ: "fast" });
  assert.deepEqual(typed.outcome.ok === false && typed.outcome.phase, "config");
  assert.match(typed.outcome.ok === false ? typed.outcome.evidence! : "", /HZ: "fast" is not a valid int value; expected a decimal integer/);
});

test("a compile error is a build failure whose evidence is the compiler's first error lines", async (t) => {
  if (why) return t.skip(why);
  const r = await run(evaluator(), { ...base, HZ: 300 });
  assert.deepEqual(r.outcome.ok === false && r.outcome.phase, "build");
  assert.equal(r.paramStatus?.CONNS?.status, "requested", "nothing was rendered for a failed build");
  assert.equal(r.paramStatus?.HZ?.status, "requested");
  assert.match(r.outcome.ok === false ? r.outcome.evidence! : "", /^boot\.S:2:2: error: #error "HZ=300 is not supported by this app"\n[\s\S]*make: \*\*\* \[Makefile:\d+: all\] Error 1$/);
});

test("a job option naming a symbol the checkout does not define stops the run at once with every such name", async (t) => {
  if (why) return t.skip(why);
  const bad = { ...target, build: { ...target.build, kconfig: { LIBUKDEBUG_TRACEPOINT: "n" }, options: { LWIP_NUM_TCPCON: "LWIP_NUM_TCPCONS" } } };
  const ev = unikraftEvaluator({ target: bad, parameters, objective: "throughput", cacheDir: cache, env: { WAYFINDER_UNIKRAFT_DIR: root } });
  await assert.rejects(run(ev, base), (e: unknown) => e instanceof WayfinderError
    && /target.build.kconfig.LIBUKDEBUG_TRACEPOINT: Kconfig symbol LIBUKDEBUG_TRACEPOINT is not defined/.test(e.message)
    && /parameter LWIP_NUM_TCPCON \(target.build.options\): Kconfig symbol LWIP_NUM_TCPCONS/.test(e.message));
  const nowhere = unikraftEvaluator({ target, parameters, objective: "throughput", cacheDir: cache, env: {} });
  await assert.rejects(run(nowhere, base), /set WAYFINDER_UNIKRAFT_DIR/);
  const notCheckout = unikraftEvaluator({ target, parameters, objective: "throughput", cacheDir: cache, env: { WAYFINDER_UNIKRAFT_DIR: cache } });
  await assert.rejects(run(notCheckout, base), /the Unikraft checkout is incomplete:\n  the Unikraft core \(checkout.core\) \S+ is not a directory/);
});
