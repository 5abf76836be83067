// End to end on real parts: the example job harness/examples/linux-riscv-footprint.yaml through the run
// loop's evaluator: Debian's linux-source-6.1 cross-built for riscv64 (tinyconfig + the guest's options
// + the job's default options), booted on qemu-system-riscv64's virt board with OpenSBI, the static /init
// reporting the footprint. The build goes to the shared build cache (.cache/wayfinder/kernel-builds), so
// only the first run on a machine pays the cold build; a clean CI clone does (measured with an empty
// WAYFINDER_CACHE on the shared 2-core machine at load ~7: 13 min for this whole test).
// Then LOG_BUF_SHIFT 17 -> 12, an incremental rebuild of printk (one object, ~15 s), must shrink the
// footprint by about the 560 KiB of static ring buffer it removes, and both configurations must repeat
// within 0.1 %.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadJob } from "../../harness/jobs/job";
import { runnableJob } from "../../harness/run/runnable-job";
import { vmEvaluator } from "../../harness/run/vm-evaluator";
import type { EvaluationReport } from "../../harness/run/evaluator";
import { DEFAULT_KERNEL_TARBALL } from "../../harness/build/kernel-source";

const root = join(import.meta.dirname, "../..");
const EXAMPLE = join(root, "harness/examples/linux-riscv-footprint.yaml");

function missingTools(): string | undefined {
  if (!existsSync(DEFAULT_KERNEL_TARBALL)) return `${DEFAULT_KERNEL_TARBALL} is missing (Debian package linux-source-6.1)`;
  for (const [tool, pkg] of [["riscv64-linux-gnu-gcc", "gcc-riscv64-linux-gnu"], ["qemu-system-riscv64", "qemu-system-misc"], ["make", "make"], ["flex", "flex"], ["bison", "bison"]]) {
    if (spawnSync(tool, ["--version"], { stdio: "ignore" }).status !== 0) return `${tool} is not installed (Debian package ${pkg}, in scripts/apt-packages.txt)`;
  }
  return undefined;
}

test("riscv64 tinyconfig kernel: cross-built, booted under OpenSBI, footprint measured, repeatable and moved by LOG_BUF_SHIFT", { timeout: 60 * 60_000 }, async (t) => {
  const missing = missingTools();
  if (missing) {
    t.skip(`cannot build and boot the riscv guest here: ${missing}`);
    return;
  }
  const rj = runnableJob(loadJob(EXAMPLE));
  const notes: string[] = [];
  const ev = vmEvaluator({ target: rj.target, params: rj.params, onNote: (n) => notes.push(n) });
  const signal = new AbortController().signal;
  const def = rj.job.space.defaultConfig();
  let seq = 0;
  const measure = async (config: typeof def): Promise<EvaluationReport> => {
    const t0 = performance.now();
    const r = await ev({ config, seq: seq++, repeat: 0, signal });
    t.diagnostic(`${JSON.stringify(config)}: ${JSON.stringify(r.outcome)} metrics ${JSON.stringify(r.metrics)} build ${r.provenance?.kernelBuild} ${r.timings?.kernelBuildS ?? 0} s, wall ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    assert.ok(r.outcome.ok, `evaluation failed: ${JSON.stringify(r.outcome)}\n${r.logExcerpt?.slice(-3000)}`);
    return r;
  };

  const a = await measure(def);
  const m = a.metrics!;
  assert.equal(m.ram_kib, 256 * 1024, "the device tree's memory node is the -m 256M");
  assert.equal(m.kernel_ram_kib, 254 * 1024, "the kernel manages all but the 2 MiB below its load address (OpenSBI)");
  assert.equal(m.footprint_kib, m.ram_kib! - m.memavailable_kib!, "footprint = RAM - MemAvailable");
  assert.ok(m.footprint_kib! > 1024 && m.footprint_kib! < 64 * 1024, `a tiny kernel's footprint, got ${m.footprint_kib} KiB`);
  assert.ok(m.memtotal_kib! < m.ram_kib!, "MemTotal excludes the kernel image and the firmware's reservation");
  assert.ok(m.kernel_code_kib! > 100 && m.bss_kib! > 100, "the Memory: line's breakdown was read back from the log buffer");
  assert.equal(m.kernel_static_kib, m.kernel_code_kib! + m.rwdata_kib! + m.rodata_kib! + m.init_kib! + m.bss_kib!);
  assert.ok(notes.some((n) => /riscv64 guest cannot use KVM/.test(n)) || rj.target.vm.accel === "tcg", "TCG is chosen and said so");

  const again = await measure(def);
  assert.equal(again.provenance?.kernelBuild, "cached", "the same options reuse the cached image");
  const drift = Math.abs(again.metrics!.footprint_kib! - m.footprint_kib!) / m.footprint_kib!;
  assert.ok(drift <= 0.001, `footprint repeats within 0.1 %: ${m.footprint_kib} vs ${again.metrics!.footprint_kib} KiB`);

  const small = await measure({ ...def, LOG_BUF_SHIFT: 12 });
  const saved = m.footprint_kib! - small.metrics!.footprint_kib!;
  // The static printk ring buffer: 2^shift bytes of text plus 2^(shift-5) descriptors and record infos
  // (~112 B each), so 17 -> 12 frees about 124 + 434 KiB of the kernel's data and bss.
  assert.ok(saved >= 400 && saved <= 700, `LOG_BUF_SHIFT 17 -> 12 frees about 560 KiB, saved ${saved} KiB`);
  assert.ok(small.metrics!.kernel_static_kib! < m.kernel_static_kib! - 400, "the ring buffer is the kernel's static data");
  assert.equal(small.metrics!.kernel_code_kib, m.kernel_code_kib, "no code changed");
  const smallAgain = await measure({ ...def, LOG_BUF_SHIFT: 12 });
  assert.ok(Math.abs(smallAgain.metrics!.footprint_kib! - small.metrics!.footprint_kib!) / small.metrics!.footprint_kib! <= 0.001, "repeatable within 0.1 %");
});
