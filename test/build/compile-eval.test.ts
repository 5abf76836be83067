// Compile-time evaluations in the run loop: a job whose target has a `build` section builds a kernel
// for the compile-time part of each configuration, then boots it. A full kernel build takes 5-10 min
// on this 2-core machine (more under load), too long for CI, so:
//  - the wiring (which values go to the builder and which to the guest, how build failures become
//    outcomes) is checked with a fake builder and a fake VM layer;
//  - the real KernelBuilder is driven through the same evaluator for outcomes that need no full build
//    (a value olddefconfig drops, an option Kconfig does not know): real make tinyconfig/olddefconfig;
//  - the real VM layer boots the kernel a (fake) builder hands over, as target.kernel.path;
// and real builds of this path are recorded in BENCHMARKS.md (section compile-eval).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadJob, parseJob } from "../../harness/jobs/job";
import { guestConfig, reviewConfig, runnableJob } from "../../harness/run/runnable-job";
import { renderForReview } from "../../harness/run/render-for-review";
import { vmEvaluator, type CompileTimeBuilder } from "../../harness/run/vm-evaluator";
import type { KernelBuildResult } from "../../harness/build/kernel-builder";
import type { EvaluationRequest, EvaluationResult } from "../../harness/vm/evaluator";
import { buildImage } from "../../harness/vm/image-builder";
import { defaultCacheDir } from "../../harness/vm/cache-dir";
import { validateTarget } from "../../harness/vm/validate-target";
import { WayfinderError } from "../../lib/errors";

const EXAMPLE = "harness/examples/linux-footprint.yaml";
const signal = new AbortController().signal;
const def = { LOG_BUF_SHIFT: 17, KALLSYMS: "y", PRINTK_TIME: "y", AIO: "y", EPOLL: "y", SIGNALFD: "y", TIMERFD: "y", EVENTFD: "y" };

function result(over: Partial<KernelBuildResult>): KernelBuildResult {
  return { status: "built", requestKey: "req1", requested: {}, configHash: "cfg1", image: "/tmp/nonexistent-bzImage", timings: { configS: 1.5, buildS: 30, totalS: 32 }, compiled: 6, ...over };
}

function fakeBuilder(answer: (options: Record<string, string | number>) => KernelBuildResult | Error) {
  const calls: Record<string, string | number>[] = [];
  const builder: CompileTimeBuilder = {
    build: async (options) => {
      calls.push(options);
      const a = answer(options);
      if (a instanceof Error) throw a;
      return a;
    },
  };
  return { builder, calls };
}

function fakeVm() {
  const calls: EvaluationRequest[] = [];
  const impl = async (req: EvaluationRequest): Promise<EvaluationResult> => {
    calls.push(req);
    return {
      outcome: { ok: true, value: 4321 }, metrics: { footprint_kib: 4321 }, paramStatus: {},
      timings: { buildS: 0.1, bootS: 2, benchmarkS: 0.5, totalS: 3 }, logExcerpt: "", notes: [],
      provenance: { kernel: req.target.kernel.path ?? "", qemu: "q", accel: "tcg", icount: true, host: "h" },
    };
  };
  return { impl, calls };
}

test("the example job: compile-time parameters become Kconfig options of target.build", () => {
  const rj = runnableJob(loadJob(EXAMPLE));
  assert.equal(rj.target.build?.source, "debian");
  assert.equal(rj.target.build?.base, "tinyconfig");
  assert.deepEqual(Object.keys(rj.target.build!.options).sort(), Object.keys(def).sort());
  assert.equal(rj.params.length, 0, "no guest-side parameter");
  // the compile-time values reach the evaluator (they stay out of the guest: see below)
  assert.deepEqual(guestConfig(rj, { ...def, other: 1 }), def);
  // a review renders only what the guest is given
  assert.deepEqual(reviewConfig(rj, def), {});
  assert.match(renderForReview(rj.target, rj.params)(reviewConfig(rj, def)).cmdline, /console=ttyS0/);
});

test("bad build sections and compile-time jobs without one are refused at the job's line", () => {
  const job = (target: string, params = "  - { name: PRINTK_TIME, phase: compile, type: boolean, default: \"y\" }") => parseJob(`name: t
objective: { metric: f, direction: min }
parameters:
${params}
target:
${target}
  benchmark: { run: "echo f 1", metrics: [{ name: f, pattern: 'f (\\d+)' }] }
`, "t.yaml");
  assert.throws(() => runnableJob(job("  image: { packages: [], binaries: [] }")), /t\.yaml:4:.*PRINTK_TIME is compile-time and varied, but the target has no "build" section/);
  assert.throws(() => runnableJob(job("  build: { source: debian, jobz: 2 }")), /t\.yaml:6:\d+: .*unknown key "jobz" in target.build; valid keys: source, arch, base/);
  assert.throws(() => runnableJob(job("  build: { arch: arm64 }")), /target.build.arch "arm64" is not supported; valid: x86, riscv/);
  assert.throws(() => runnableJob(job("  build: {}\n  kernel: { package: linux-image-cloud-amd64 }")), /drop target.kernel.path\/package/);
  assert.throws(() => runnableJob(job("  build: {}", "  - { name: bad-name, phase: compile, type: boolean }")), /compile-time parameter "bad-name" is not a Kconfig symbol name/);
  assert.throws(() => runnableJob(job("  build: { base: my.config, extra: { A: y } }")), /extra adds to the tinyconfig base/);
  const rj = runnableJob(job("  build: { source: ../linux, base: my.config, cache: c, jobs: 2 }", "  - { name: CONFIG_PRINTK_TIME, phase: compile, type: boolean }"));
  assert.equal(rj.target.build!.source, join(process.cwd(), "../linux"));
  assert.equal(rj.target.build!.base, join(process.cwd(), "my.config"));
  assert.deepEqual(rj.target.build!.options, { CONFIG_PRINTK_TIME: "PRINTK_TIME" });
});

test("wiring: compile-time values go to the builder, the rest to the guest, the built image boots", async () => {
  const rj = runnableJob(loadJob(EXAMPLE));
  const b = fakeBuilder(() => result({ image: "/cache/images/cfg1/bzImage" }));
  const vm = fakeVm();
  const ev = vmEvaluator({ target: rj.target, params: [{ name: "vm.swappiness", phase: "runtime" }], builderImpl: b.builder, evaluateImpl: vm.impl });
  const r = await ev({ config: { ...def, LOG_BUF_SHIFT: 12, "vm.swappiness": 10 }, seq: 1, repeat: 0, signal });
  assert.deepEqual(b.calls, [{ ...def, LOG_BUF_SHIFT: 12 }]);
  assert.equal(vm.calls.length, 1);
  assert.deepEqual(vm.calls[0]!.config, { "vm.swappiness": 10 });
  assert.equal(vm.calls[0]!.target.kernel.path, "/cache/images/cfg1/bzImage");
  assert.deepEqual(vm.calls[0]!.target.kernel.modules, [], "a built kernel has no Debian modules to load");
  assert.equal("build" in vm.calls[0]!.target, false);
  assert.deepEqual(r.outcome, { ok: true, value: 4321 });
  assert.equal(r.timings!.kernelBuildS, 30);
  assert.equal(r.timings!.totalS, 3 + 32);
  assert.deepEqual(r.provenance, { kernel: "/cache/images/cfg1/bzImage", qemu: "q", accel: "tcg", icount: true, host: "h", kernelBuild: "built", kernelRequest: "req1", kernelConfig: "cfg1", kernelCompiled: 6 });
  assert.deepEqual(r.paramStatus!.LOG_BUF_SHIFT, { status: "applied", requested: "12" });
});

test("a value olddefconfig dropped is a config outcome, a failed build a build outcome: nothing boots", async () => {
  const rj = runnableJob(loadJob(EXAMPLE));
  const vm = fakeVm();
  const dropped = fakeBuilder(() => result({ status: "config", image: undefined, dropped: [{ name: "LOG_BUF_SHIFT", requested: "30", actual: "17", reason: "30 is outside its range [12, 25]" }] }));
  const r1 = await vmEvaluator({ target: rj.target, params: [], builderImpl: dropped.builder, evaluateImpl: vm.impl })({ config: { ...def, LOG_BUF_SHIFT: 30 }, seq: 1, repeat: 0, signal });
  assert.equal(r1.outcome.ok, false);
  assert.equal(!r1.outcome.ok && r1.outcome.phase, "config");
  assert.match(!r1.outcome.ok ? r1.outcome.evidence ?? "" : "", /LOG_BUF_SHIFT=30 became 17 \(30 is outside its range \[12, 25\]\)/);
  assert.deepEqual(r1.paramStatus!.LOG_BUF_SHIFT, { status: "rejected", requested: "30", actual: "17", detail: "30 is outside its range [12, 25]" });

  const broken = fakeBuilder(() => result({ status: "build", image: undefined, errorLines: ["kernel/printk/printk.c:42: error: expected ';'", "make[3]: *** [scripts/Makefile.build:250] Error 1"] }));
  const r2 = await vmEvaluator({ target: rj.target, params: [], builderImpl: broken.builder, evaluateImpl: vm.impl })({ config: def, seq: 2, repeat: 0, signal });
  assert.equal(!r2.outcome.ok && r2.outcome.phase, "build");
  assert.match(!r2.outcome.ok ? r2.outcome.evidence ?? "" : "", /printk\.c:42: error: expected ';'\nmake\[3\]/);

  const refused = fakeBuilder(() => new WayfinderError("bad compile-time options:\n  PRINTK_TYME: no such Kconfig symbol"));
  const r3 = await vmEvaluator({ target: rj.target, params: [], builderImpl: refused.builder, evaluateImpl: vm.impl })({ config: def, seq: 3, repeat: 0, signal });
  assert.equal(!r3.outcome.ok && r3.outcome.phase, "config");
  assert.match(!r3.outcome.ok ? r3.outcome.evidence ?? "" : "", /PRINTK_TYME: no such Kconfig symbol/);
  assert.equal(vm.calls.length, 0, "no configuration that failed to build was booted");
});

test("real KernelBuilder through the evaluator: a dropped value and an unknown option, without a full build", { timeout: 900_000 }, async () => {
  const cache = mkdtempSync(join(tmpdir(), "wf-compile-eval-"));
  try {
    const text = `name: t
objective: { metric: f, direction: min }
parameters:
  - { name: LOG_BUF_SHIFT, phase: compile, type: integer, min: 12, max: 40, default: 17 }
  - { name: IPV6, phase: compile, type: boolean, default: "n" }
target:
  build: { source: debian, jobs: 2, cache: ${cache} }
  benchmark: { run: "echo f 1", metrics: [{ name: f, pattern: 'f (\\d+)' }] }
`;
    const rj = runnableJob(parseJob(text, join(cache, "t.yaml")));
    const vm = fakeVm();
    const ev = vmEvaluator({ target: rj.target, params: rj.params, evaluateImpl: vm.impl, onNote: (n) => console.log(n) });
    const r = await ev({ config: { LOG_BUF_SHIFT: 30, IPV6: "y" }, seq: 1, repeat: 0, signal });
    assert.equal(!r.outcome.ok && r.outcome.phase, "config", JSON.stringify(r.outcome));
    const evidence = !r.outcome.ok ? r.outcome.evidence ?? "" : "";
    assert.match(evidence, /LOG_BUF_SHIFT=30 became 17 \(30 is outside its range \[12, 25\]\)/);
    assert.match(evidence, /IPV6=y became unset \(.*depends on NET && INET/);
    assert.equal(r.paramStatus!.IPV6!.status, "rejected");
    assert.equal(vm.calls.length, 0);

    const bad = runnableJob(parseJob(text.replace("name: IPV6,", "name: IPV7,"), join(cache, "t.yaml")));
    const r2 = await vmEvaluator({ target: bad.target, params: bad.params, evaluateImpl: vm.impl })({ config: { LOG_BUF_SHIFT: 14, IPV7: "y" }, seq: 2, repeat: 0, signal });
    assert.equal(!r2.outcome.ok && r2.outcome.phase, "config");
    assert.match(!r2.outcome.ok ? r2.outcome.evidence ?? "" : "", /IPV7: no such Kconfig symbol/);
    assert.equal(vm.calls.length, 0);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

const haveQemu = spawnSync("qemu-system-x86_64", ["-version"]).status === 0;
test("real VM: the image a builder hands over boots as target.kernel.path and the footprint is measured", { skip: haveQemu ? false : "qemu-system-x86_64 is not installed", timeout: 600_000 }, async () => {
  // Debian's cloud kernel stands in for a built one here (a real build is too slow for CI).
  const cloud = buildImage(validateTarget({ image: { packages: [], binaries: [] }, benchmark: { run: "true", metrics: [{ name: "x", pattern: "(1)" }] }, timeouts: { bootS: 60, totalS: 60 } }), { cacheDir: defaultCacheDir() });
  const rj = runnableJob(loadJob(EXAMPLE));
  const b = fakeBuilder(() => result({ status: "cached", cacheHit: "request", image: cloud.kernel }));
  const r = await vmEvaluator({ target: rj.target, params: rj.params, builderImpl: b.builder })({ config: def, seq: 1, repeat: 0, signal });
  assert.equal(r.outcome.ok, true, `${JSON.stringify(r.outcome)}\n${r.logExcerpt}`);
  const f = r.metrics!.footprint_kib!;
  // 256 MiB guest: the cloud kernel's footprint is tens of MiB, never more than the guest
  assert.ok(f > 5_000 && f < 262_144, `footprint ${f} KiB`);
  assert.ok(r.metrics!.kernel_code_kib! > 1000, "the kernel's boot-time breakdown is parsed");
  // code + rwdata + rodata + init + bss, summed in the guest
  assert.ok(r.metrics!.kernel_static_kib! > r.metrics!.kernel_code_kib! + r.metrics!.bss_kib!, JSON.stringify(r.metrics));
  assert.equal(r.provenance!.kernelCacheHit, "request");
  assert.match(String(r.provenance!.kernel), /^user:vmlinuz/);
});
