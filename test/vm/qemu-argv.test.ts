import { test } from "node:test";
import assert from "node:assert/strict";
import { qemuArgv, type QemuMachine } from "../../harness/vm/qemu-argv";

const base: QemuMachine = {
  qemu: "qemu-system-x86_64", accel: "tcg", icount: true, memoryMiB: 256, cpus: 1,
  kernel: "/k/vmlinuz", initrd: "/e/initrd", append: "console=ttyS0 panic=-1", markerSocket: "/e/m.sock",
};

function after(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
}

test("deterministic TCG: icount, fixed RTC, no reboot, pvpanic exits with failure", () => {
  const { file, args } = qemuArgv(base);
  assert.equal(file, "qemu-system-x86_64");
  assert.deepEqual(after(args, "-accel"), ["tcg"]);
  assert.deepEqual(after(args, "-icount"), ["shift=3,sleep=off"]);
  assert.ok(args.includes("-no-reboot"));
  assert.deepEqual(after(args, "-device"), ["pvpanic"]);
  assert.deepEqual(after(args, "-action"), ["panic=exit-failure"]);
  assert.deepEqual(after(args, "-m"), ["256M"]);
  assert.deepEqual(after(args, "-append"), ["console=ttyS0 panic=-1"]);
  assert.ok(!args.includes("-cpu"));
});

test("two serial ports in order: console to stdout, markers to the host's socket", () => {
  const { args } = qemuArgv(base);
  assert.deepEqual(after(args, "-serial"), ["chardev:console", "chardev:markers"]);
  assert.deepEqual(after(args, "-chardev"), ["stdio,id=console,signal=off", "socket,id=markers,path=/e/m.sock"]);
  assert.ok(args.includes("-nodefaults"), "no default devices (monitor, VGA, NIC) that could block or print");
});

test("KVM uses the host CPU model and never icount", () => {
  const { args } = qemuArgv({ ...base, accel: "kvm", icount: false });
  assert.deepEqual(after(args, "-accel"), ["kvm"]);
  assert.deepEqual(after(args, "-cpu"), ["host"]);
  assert.ok(!args.includes("-icount"));
  assert.throws(() => qemuArgv({ ...base, accel: "kvm", icount: true }), /TCG/);
});

test("the command line is one argv element whatever it contains (no shell)", () => {
  const { args } = qemuArgv({ ...base, append: "a=1 b=2" });
  assert.equal(after(args, "-append")[0], "a=1 b=2");
});
