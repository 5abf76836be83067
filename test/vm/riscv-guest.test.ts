// The riscv64 guest's pure parts (QEMU argv, the init's C source, console markers, target validation)
// and the real cross-compilation of its /init (riscv64-linux-gnu-gcc, a second or two). The boot of a
// real riscv kernel is in riscv-footprint-e2e.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseJob } from "../../harness/jobs/job";
import { runnableJob } from "../../harness/run/runnable-job";
import { readCpio } from "../../harness/vm/cpio";
import { parseMarkers } from "../../harness/vm/markers";
import { defaultQemu } from "../../harness/vm/preflight";
import { markerChannel, qemuArgv, riscvQemuArgv, type QemuMachine } from "../../harness/vm/qemu-argv";
import { consoleMarkerLines } from "../../harness/vm/qemu-process";
import { buildRiscvInit, riscvInitramfs, RISCV_CC } from "../../harness/vm/riscv-image";
import { DEFAULT_MEMINFO_FIELDS, meminfoMetricName, riscvInitSource } from "../../harness/vm/riscv-init-source";
import { validateTarget } from "../../harness/vm/validate-target";
import { WayfinderError } from "../../lib/errors";
import { validationProblem } from "./validation-problem";

const machine: QemuMachine = {
  qemu: "qemu-system-riscv64", accel: "tcg", icount: false, memoryMiB: 256, cpus: 1,
  kernel: "/k/Image", initrd: "/e/initrd", append: "console=ttyS0 panic=-1", markerSocket: "/e/m.sock", arch: "riscv",
};

function after(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
}

test("riscv argv: virt board with OpenSBI, one UART carrying console and markers, no pvpanic", () => {
  const { file, args } = qemuArgv(machine);
  assert.equal(file, "qemu-system-riscv64");
  assert.deepEqual(args, riscvQemuArgv(machine).args, "qemuArgv dispatches on arch");
  assert.deepEqual(after(args, "-machine"), ["virt"]);
  assert.deepEqual(after(args, "-bios"), ["default"]);
  assert.deepEqual(after(args, "-serial"), ["chardev:console"]);
  assert.deepEqual(after(args, "-chardev"), ["stdio,id=console,signal=off"]);
  assert.ok(!args.some((a) => a.includes("pvpanic")), "the virt board has no ISA pvpanic");
  assert.ok(!args.some((a) => a.includes("/e/m.sock")), "no marker socket: the markers are on the console");
  assert.ok(args.includes("-no-reboot"), "a guest restart or panic=-1 ends QEMU");
  assert.deepEqual(after(args, "-m"), ["256M"]);
  assert.deepEqual(after(args, "-kernel"), ["/k/Image"]);
  assert.deepEqual(after(args, "-append"), ["console=ttyS0 panic=-1"]);
  assert.ok(!args.includes("-icount"));
  assert.deepEqual(after(qemuArgv({ ...machine, icount: true }).args, "-icount"), ["shift=3,sleep=off"]);
  assert.throws(() => qemuArgv({ ...machine, accel: "kvm", icount: true }), /TCG/);
  // x86 is unchanged: two serial ports, pvpanic
  const x86 = qemuArgv({ ...machine, arch: undefined, qemu: "qemu-system-x86_64" }).args;
  assert.deepEqual(after(x86, "-serial"), ["chardev:console", "chardev:markers"]);
  assert.ok(!x86.includes("-bios"));
  assert.equal(markerChannel("riscv"), "console");
  assert.equal(markerChannel(undefined), "socket");
  assert.equal(defaultQemu("riscv"), "qemu-system-riscv64");
  assert.equal(defaultQemu(undefined), "qemu-system-x86_64");
});

test("console markers: whole @@WF lines only, tty carriage returns dropped, kernel lines ignored", () => {
  const lines = consoleMarkerLines([
    "[    0.000000] Linux version 6.1.0 (wayfinder@wayfinder)\r",
    "@@WF stage agent@@\r",
    "\r@@WF output 666f6f@@\r",
    "random: crng init done @@WF stage done@@",
    "",
  ]);
  assert.deepEqual(lines, ["@@WF stage agent@@", "@@WF output 666f6f@@"]);
  const report = parseMarkers(lines);
  assert.deepEqual(report.errors, []);
  assert.equal(report.output, "foo");
  // a marker line cut by a kernel message is kept and makes the report untrustworthy, not silently partial
  assert.equal(parseMarkers(consoleMarkerLines(["@@WF output 66[  1.2] oops"])).errors.length, 1);
});

test("init source: meminfo fields become a C table; bad field names and a missing MemAvailable are refused", () => {
  const src = riscvInitSource();
  for (const f of DEFAULT_MEMINFO_FIELDS) assert.ok(src.includes(`{ "${f}:", "${meminfoMetricName(f)}" }`), f);
  assert.match(src, /#define NFIELDS 3\b/);
  assert.match(src, /footprint_kib/);
  assert.ok(!/#include/.test(src), "no libc headers: raw system calls only");
  assert.equal(riscvInitSource(), src, "pure: the image cache hashes it");
  assert.equal(meminfoMetricName("MemAvailable"), "memavailable_kib");
  assert.equal(meminfoMetricName("Active(file)"), "active_file_kib");
  const withSlab = riscvInitSource({ meminfoFields: ["MemAvailable", "Slab"] });
  assert.match(withSlab, /\{ "Slab:", "slab_kib" \}/);
  assert.match(withSlab, /#define NFIELDS 2\b/);
  assert.throws(() => riscvInitSource({ meminfoFields: ['Mem"); system("x'] }), (e) => e instanceof WayfinderError && /meminfo field "Mem\\"\); system\(\\"x" is not a \/proc\/meminfo field name/.test(e.message));
  assert.throws(() => riscvInitSource({ meminfoFields: ["MemFree"] }), /must include MemAvailable/);
  assert.throws(() => riscvInitSource({ meminfoFields: [] }), /at least one/);
});

test("the init cross-compiles into a static riscv64 executable, cached by its source", (t) => {
  if (spawnSync(RISCV_CC, ["--version"]).status !== 0) {
    t.skip(`${RISCV_CC} is not installed (Debian package gcc-riscv64-linux-gnu, in scripts/apt-packages.txt)`);
    return;
  }
  const cache = mkdtempSync(join(tmpdir(), "wf-riscv-init-"));
  try {
    const first = buildRiscvInit(cache);
    assert.equal(first.built, true);
    const elf = readFileSync(first.path);
    assert.deepEqual([...elf.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], "an ELF file");
    assert.equal(elf[4], 2, "64-bit");
    assert.equal(elf.readUInt16LE(16), 2, "ET_EXEC: static, not PIE");
    assert.equal(elf.readUInt16LE(18), 243, "EM_RISCV");
    // no program header asks for an interpreter (PT_INTERP = 3): it runs as the first process with no loader
    const phoff = Number(elf.readBigUInt64LE(32));
    const phentsize = elf.readUInt16LE(54);
    const phnum = elf.readUInt16LE(56);
    for (let i = 0; i < phnum; i++) assert.notEqual(elf.readUInt32LE(phoff + i * phentsize), 3, "PT_INTERP present");
    assert.ok(elf.length < 64 * 1024, `a small program (${elf.length} bytes)`);
    const again = buildRiscvInit(cache);
    assert.deepEqual(again, { ...first, built: false }, "the second call reuses the cached binary");
    const entries = readCpio(riscvInitramfs(elf));
    const init = entries.find((e) => e.name === "init");
    assert.ok(init, "the initramfs has /init");
    assert.equal(init.mode & 0o777, 0o755);
    assert.deepEqual(init.data, elf);
    for (const d of ["proc", "dev", "sys"]) assert.ok(entries.some((e) => e.name === d), d);
    // a broken toolchain is a clear error naming the package
    assert.throws(() => buildRiscvInit(mkdtempSync(join(cache, "x-")), { cc: "riscv64-nonexistent-gcc" }), /cross compiler "riscv64-nonexistent-gcc" is not available.*gcc-riscv64-linux-gnu/);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

const metrics = [{ name: "footprint_kib", pattern: "footprint_kib (\\d+)" }];
const riscv = { vm: { arch: "riscv" }, benchmark: { metrics } };

const problem = validationProblem;

test("riscv targets: what needs a shell or packages is refused naming the field and what is valid", () => {
  const t = validateTarget(riscv);
  assert.equal(t.vm.arch, "riscv");
  assert.equal(t.benchmark.run, "");
  assert.equal(validateTarget({ benchmark: { metrics } }, { arch: "riscv" }).vm.arch, "riscv", "build.arch implies the riscv guest");
  assert.equal(validateTarget({ benchmark: { run: "true", metrics } }).vm.arch, undefined, "x86 targets are unchanged");
  assert.match(problem({ ...riscv, benchmark: { run: "cat /proc/meminfo", metrics } }), /^target\.benchmark\.run: a riscv target cannot run a benchmark script: .*static C program.*remove benchmark\.run.*footprint_kib/);
  assert.match(problem({ benchmark: { run: "true", metrics } }, { arch: "riscv" }), /^target\.benchmark\.run: a riscv target cannot run a benchmark script/);
  assert.match(problem({ ...riscv, application: { start: "redis-server &" } }), /^target\.application\.start: a riscv target cannot run application\.start/);
  assert.match(problem({ ...riscv, image: { packages: ["redis-server"] } }), /^target\.image\.packages: a riscv target's initramfs holds only the static \/init/);
  assert.match(problem({ ...riscv, kernel: { package: "linux-image-cloud-amd64" } }), /^target\.kernel\.package: a riscv target boots the kernel of target\.build/);
  assert.match(problem({ ...riscv, runtime: { paths: { x: "/proc/sys/vm/swappiness" } } }), /^target\.runtime\.paths: a riscv target writes no runtime parameters/);
  assert.match(problem({ ...riscv, vm: { arch: "arm64" } }), /^target\.vm\.arch: arch "arm64" is not valid; expected x86 or riscv/);
  assert.match(problem({ ...riscv, vm: { arch: "x86" } }, { arch: "riscv" }), /^target\.vm\.arch: arch "x86" contradicts target\.build\.arch "riscv"/);
  assert.match(problem(riscv, { params: [{ name: "vm.swappiness", phase: "runtime" }] }), /vm\.swappiness is runtime-phase.*valid phases for riscv: boot, compile/);
});

test("a riscv job with a runtime parameter is refused at the parameter's line", () => {
  const text = `name: t
objective: { metric: footprint_kib, direction: min }
parameters:
  - { name: LOG_BUF_SHIFT, phase: compile, type: integer, min: 12, max: 21, default: 17 }
  - { name: vm.swappiness, phase: runtime, type: integer, min: 0, max: 100, default: 60 }
target:
  build: { arch: riscv }
  benchmark: { metrics: [{ name: footprint_kib, pattern: 'footprint_kib (\\d+)' }] }
`;
  assert.throws(() => runnableJob(parseJob(text, "riscv.yaml")), (e) => e instanceof WayfinderError && /riscv\.yaml:5:\d+.*vm\.swappiness is runtime-phase, but target\.build\.arch riscv .*valid phases for riscv: compile, boot/.test(e.message));
  const ok = runnableJob(parseJob(text.replace(/  - \{ name: vm\.swappiness.*\n/, ""), "riscv.yaml"));
  assert.equal(ok.target.vm.arch, "riscv");
  assert.equal(ok.target.build?.arch, "riscv");
  assert.deepEqual(ok.target.build?.options, { LOG_BUF_SHIFT: "LOG_BUF_SHIFT" });
});
