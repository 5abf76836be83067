// The compile-time evaluation driver against the real linux-source-6.1 tree and the real kconfig
// tools: tinyconfig + guest options as base, `make olddefconfig`, the survived-values check and the
// request cache. Building a whole kernel takes 5-20 min on this 2-core machine, too long for the
// suite: BENCHMARKS.md (section kconfig) records real builds made with `wayfinder kconfig bench`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { KernelBuilder, buildOutcome, ensureKernelSource, GUEST_BASE_OPTIONS } from "../../harness/build";
import { parseDotConfig } from "../../lib/kconfig";
import { WayfinderError } from "../../lib/errors";

let src = "";
let cache = "";
let builder: KernelBuilder;
before(() => {
  src = ensureKernelSource({ onNote: (n) => console.log(n) });
  cache = mkdtempSync(join(tmpdir(), "wf-kbuild-"));
  builder = new KernelBuilder({ sourceDir: src, cacheDir: cache, jobs: 2 });
});
after(() => rmSync(cache, { recursive: true, force: true }));

test("base: tinyconfig plus every guest option, resolved by olddefconfig", async () => {
  const base = await builder.baseConfig();
  for (const [k, v] of Object.entries(GUEST_BASE_OPTIONS.x86!)) assert.equal(base.values.get(k), v, k);
  // tinyconfig really is tiny: no networking, no modules
  assert.equal(base.values.get("NET") ?? "n", "n");
  assert.equal(base.values.get("MODULES") ?? "n", "n");
  assert.equal(base.values.get("PRINTK_TIME"), "n");
});

test("a value that survives olddefconfig resolves; the resulting .config holds it", async () => {
  const r = await builder.resolve({ PRINTK_TIME: "y", LOG_BUF_SHIFT: 14 });
  assert.equal(r.status, "resolved");
  assert.equal(buildOutcome(r), undefined);
  const cfg = parseDotConfig(readFileSync(r.config!, "utf8"));
  assert.equal(cfg.get("PRINTK_TIME"), "y");
  assert.equal(cfg.get("LOG_BUF_SHIFT"), "14");
  assert.equal(cfg.get("SERIAL_8250_CONSOLE"), "y");
});

test("values olddefconfig drops or resets are a 'config' outcome listing each value and why", async () => {
  const r = await builder.resolve({ LOG_BUF_SHIFT: 30, IPV6: "y", PRINTK_TIME: "y" });
  assert.equal(r.status, "config");
  const byName = Object.fromEntries((r.dropped ?? []).map((d) => [d.name, d]));
  assert.deepEqual(Object.keys(byName).sort(), ["IPV6", "LOG_BUF_SHIFT"]);
  assert.equal(byName.LOG_BUF_SHIFT!.actual, "17");
  assert.match(byName.LOG_BUF_SHIFT!.reason!, /outside its range \[12, 25\]/);
  assert.equal(byName.IPV6!.actual, undefined);
  assert.match(byName.IPV6!.reason!, /depends on NET && INET/);
  const outcome = buildOutcome(r)!;
  assert.equal(outcome.ok, false);
  assert.equal(!outcome.ok && outcome.phase, "config");
  assert.match(!outcome.ok ? outcome.evidence ?? "" : "", /IPV6=y became unset/);
  // the same request again comes from the request cache without running make
  const again = await builder.resolve({ IPV6: "y", PRINTK_TIME: "y", LOG_BUF_SHIFT: 30 });
  assert.equal(again.status, "config");
  assert.equal(again.cacheHit, "request");
  assert.equal(again.requestKey, r.requestKey);
});

test("wayfinder kconfig build --config-only: dropped values printed with exit 1; unknown symbols exit 2", () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ["bin/wayfinder.js", "kconfig", "build", src, "--config-only", "--cache", cache, ...args], { encoding: "utf8", timeout: 300_000 });
  const bad = cli("LOG_BUF_SHIFT=30", "PRINTK_TIME=y");
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stdout, /^config /);
  assert.match(bad.stdout, /dropped LOG_BUF_SHIFT=30 -> 17: 30 is outside its range \[12, 25\]/);
  const unknown = cli("NOT_A_SYMBOL=y");
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /error: bad compile-time options:\n  NOT_A_SYMBOL: no such Kconfig symbol/);
});

test("a choice conflict is a 'config' outcome; unknown options and wrong types are errors", async () => {
  const c = await builder.resolve({ HZ_100: "y", HZ_1000: "y" });
  assert.equal(c.status, "config");
  assert.deepEqual(c.choiceConflicts?.[0]?.members, ["HZ_100", "HZ_1000"]);
  await assert.rejects(builder.resolve({ PRINTK_TYME: "y" }), (e: unknown) => e instanceof WayfinderError && /PRINTK_TYME: no such Kconfig symbol.*did you mean PRINTK_TIME/.test(e.message));
  await assert.rejects(builder.resolve({ LOG_BUF_SHIFT: "lots" }), /LOG_BUF_SHIFT: "lots" is not a valid int value/);
});

test("a broken toolchain and a tree that is not a kernel are clear errors", async () => {
  // the host compiler make needs for scripts/ (a missing target compiler fails the same way, later)
  const broken = new KernelBuilder({ sourceDir: src, cacheDir: cache, makeVariables: { HOSTCC: "/nonexistent/gcc" } });
  await assert.rejects(broken.baseConfig(), (e: unknown) => e instanceof WayfinderError && /make tinyconfig failed .*\/nonexistent\/gcc: not found.*check the toolchain/.test(e.message));
  assert.throws(
    () => new KernelBuilder({ sourceDir: src, cacheDir: cache, arch: "riscv", makeVariables: { CROSS_COMPILE: "nonexistent-linux-gnu-" } }),
    /cross compiler nonexistent-linux-gnu-gcc not found/,
  );
  assert.throws(() => new KernelBuilder({ sourceDir: src, cacheDir: cache, arch: "mips" }), /arch "mips" is not supported by the builder; valid: x86, riscv/);
  const dir = mkdtempSync(join(tmpdir(), "wf-notkernel-"));
  try {
    assert.throws(() => new KernelBuilder({ sourceDir: dir, cacheDir: cache }), /is not a kernel source tree/);
    writeFileSync(join(dir, "Kconfig"), "config A\n\tbool\n");
    assert.throws(() => new KernelBuilder({ sourceDir: dir, cacheDir: cache }), /is not a Linux source tree: it lacks Makefile/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(existsSync(src));
});
