/**
 * The QEMU command line for one evaluation, as a pure function of a typed machine description, so it
 * is unit-tested without a VM. Two serial ports: ttyS0 carries the kernel console to QEMU's stdout
 * (captured with a size bound), ttyS1 carries only the agent's marker lines to a unix socket the host
 * listens on.
 *
 * The riscv64 guest (QEMU's virt board with OpenSBI as firmware, `-bios default`) has one UART: the
 * console and the markers share it (see riscvQemuArgv), and there is no pvpanic device; a guest panic
 * ends QEMU through panic=-1 and -no-reboot and is told apart by the console's panic line.
 */
export interface QemuMachine {
  /** The QEMU binary. */
  qemu: string;
  accel: "kvm" | "tcg";
  /** -icount shift=3,sleep=off: guest time counts instructions (TCG only). */
  icount: boolean;
  memoryMiB: number;
  cpus: number;
  kernel: string;
  initrd: string;
  /** The kernel command line, already validated (see bootCommandLine). */
  append: string;
  /** Unix socket the host listens on for the marker port (x86 only: the riscv guest writes markers on its console). */
  markerSocket: string;
  /** Guest architecture; default x86 (x86-64 PC). */
  arch?: "x86" | "riscv";
}

/** Where the guest agent's marker lines arrive: their own serial port (a socket) or mixed into the console. */
export function markerChannel(arch: QemuMachine["arch"]): "socket" | "console" {
  return arch === "riscv" ? "console" : "socket";
}

/** What both boards take alike: the clock, memory, CPUs and what to boot. */
function guestArgs(m: QemuMachine): string[] {
  return [
    ...(m.icount ? ["-icount", "shift=3,sleep=off", "-rtc", "base=2024-01-01T00:00:00,clock=vm"] : []),
    "-m", `${m.memoryMiB}M`,
    "-smp", String(m.cpus),
    "-kernel", m.kernel,
    "-initrd", m.initrd,
    "-append", m.append,
  ];
}

export function qemuArgv(m: QemuMachine): { file: string; args: string[] } {
  if (m.icount && m.accel !== "tcg") throw new Error("-icount needs TCG; the caller must not ask for it with KVM");
  if (m.arch === "riscv") return riscvQemuArgv(m);
  const args = [
    "-nodefaults",
    "-no-user-config",
    "-display", "none",
    "-accel", m.accel,
    ...(m.accel === "kvm" ? ["-cpu", "host"] : []),
    ...guestArgs(m),
    // A guest reboot or early panic (panic=-1) ends QEMU instead of looping.
    "-no-reboot",
    // pvpanic makes a guest kernel panic end QEMU with status 1, so a panic is seen at once.
    "-device", "pvpanic",
    "-action", "panic=exit-failure",
    "-chardev", "stdio,id=console,signal=off",
    "-serial", "chardev:console",
    "-chardev", `socket,id=markers,path=${m.markerSocket}`,
    "-serial", "chardev:markers",
  ];
  return { file: m.qemu, args };
}

/**
 * QEMU's riscv64 virt board: OpenSBI (QEMU's bundled build, `-bios default`) starts the kernel in
 * S-mode; the one ns16550 UART is ttyS0, the console, and also carries the markers. No pvpanic and no
 * KVM CPU model (a riscv64 guest only gets KVM on a riscv64 host).
 */
export function riscvQemuArgv(m: QemuMachine): { file: string; args: string[] } {
  if (m.icount && m.accel !== "tcg") throw new Error("-icount needs TCG; the caller must not ask for it with KVM");
  const args = [
    "-nodefaults",
    "-no-user-config",
    "-display", "none",
    "-machine", "virt",
    "-bios", "default",
    "-accel", m.accel,
    ...guestArgs(m),
    "-no-reboot",
    "-chardev", "stdio,id=console,signal=off",
    "-serial", "chardev:console",
  ];
  return { file: m.qemu, args };
}
