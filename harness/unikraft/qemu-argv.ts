/**
 * The QEMU command line that boots a Unikraft image (x86_64, the kvm/qemu platform boots from
 * -kernel through multiboot), as a pure function. The console goes to QEMU's stdout; with a network,
 * QEMU's user-mode stack forwards a host port on 127.0.0.1 to the application's port in the guest
 * (guest 10.0.2.15, gateway 10.0.2.2), so no bridge, tap device or root privilege is needed.
 */
import { WayfinderError } from "../../lib/errors";

export interface UnikernelMachine {
  qemu: string;
  accel: "kvm" | "tcg";
  memoryMiB: number;
  cpus: number;
  kernel: string;
  initrd?: string;
  append: string;
  /** Forward 127.0.0.1:hostPort to guestPort in the guest (both or neither). */
  hostPort?: number;
  guestPort?: number;
}

export function unikernelQemuArgv(m: UnikernelMachine): { file: string; args: string[] } {
  if ((m.hostPort === undefined) !== (m.guestPort === undefined)) throw new WayfinderError("a port forward needs both hostPort and guestPort");
  const net = m.hostPort !== undefined
    ? ["-netdev", `user,id=net0,hostfwd=tcp:127.0.0.1:${m.hostPort}-:${m.guestPort}`, "-device", "virtio-net-pci,netdev=net0"]
    : [];
  return {
    file: m.qemu,
    args: [
      "-nodefaults",
      "-no-user-config",
      "-display", "none",
      "-accel", m.accel,
      // Unikraft's x86_64 platform needs a CPU with the features of a modern host; "max" gives TCG all it emulates.
      "-cpu", m.accel === "kvm" ? "host" : "max",
      "-m", `${m.memoryMiB}M`,
      "-smp", String(m.cpus),
      "-kernel", m.kernel,
      ...(m.initrd ? ["-initrd", m.initrd] : []),
      ...(m.append ? ["-append", m.append] : []),
      "-no-reboot",
      "-chardev", "stdio,id=console,signal=off",
      "-serial", "chardev:console",
      ...net,
    ],
  };
}
