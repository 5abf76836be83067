/**
 * Is KVM really usable? /dev/kvm can exist while KVM cannot boot a kernel (on the machine this was
 * written on, a tiny real-mode firmware runs under KVM but a Linux boot hangs). So the probe boots the
 * guest kernel itself with no root and panic=-1: a working accelerator reaches the "Kernel panic"
 * about the missing root file system and QEMU exits within a few seconds; a broken one is killed at
 * the timeout. The verdict is kept in the cache for the current host boot (keyed by boot_id, QEMU and
 * kernel), so only the first evaluation after a reboot pays for it.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";

export interface KvmProbe {
  usable: boolean;
  reason: string;
}

export function probeArgv(qemu: string, accel: "kvm" | "tcg", kernel: string): { file: string; args: string[] } {
  return {
    file: qemu,
    args: [
      "-nodefaults", "-no-user-config", "-display", "none", "-accel", accel, "-m", "128M", "-no-reboot",
      "-kernel", kernel, "-append", "console=ttyS0 panic=-1 loglevel=1", "-serial", "stdio",
    ],
  };
}

function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return String(Date.now());
  }
}

export async function probeAccel(opts: { qemu: string; kernel: string; accel?: "kvm" | "tcg"; timeoutMs?: number; cacheDir?: string }): Promise<KvmProbe> {
  const accel = opts.accel ?? "kvm";
  if (accel === "kvm") {
    try {
      accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
    } catch (e) {
      return { usable: false, reason: `/dev/kvm is not usable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
    }
  }
  const key = createHash("sha256").update(JSON.stringify([bootId(), opts.qemu, opts.kernel, accel])).digest("hex").slice(0, 16);
  const file = opts.cacheDir ? join(opts.cacheDir, "accel", `${key}.json`) : undefined;
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as KvmProbe;
  const result = await runProbe(opts.qemu, opts.kernel, accel, opts.timeoutMs ?? 10_000);
  if (file && !result.reason.startsWith("could not start")) {
    mkdirSync(join(opts.cacheDir!, "accel"), { recursive: true });
    writeFileSync(file, JSON.stringify(result));
  }
  return result;
}

function runProbe(qemu: string, kernel: string, accel: "kvm" | "tcg", timeoutMs: number): Promise<KvmProbe> {
  const { file, args } = probeArgv(qemu, accel, kernel);
  return new Promise<KvmProbe>((resolve) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const keep = (d: Buffer) => (out = (out + d).slice(-4000));
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ usable: false, reason: `could not start ${qemu}: ${e.message}` });
    });
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      if (/Kernel panic/.test(out)) resolve({ usable: true, reason: `${accel} booted the kernel` });
      else if (signal) resolve({ usable: false, reason: `${accel} did not boot the kernel within ${timeoutMs / 1000} s (present but hangs)` });
      else resolve({ usable: false, reason: `${accel} failed: ${out.trim().split("\n").slice(-2).join(" / ")}` });
    });
  });
}
