/**
 * Checks that need the host but no VM: the QEMU binary exists, a user kernel/initrd is readable. Run
 * before the first evaluation so a broken setup is one clear error, not a run of failed evaluations.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { fail, quote } from "../../lib/errors";
import type { TargetSpec } from "./target";

export const DEFAULT_QEMU = "qemu-system-x86_64";
export const DEFAULT_QEMU_RISCV = "qemu-system-riscv64";

/** The QEMU binary for a guest architecture when target.vm.qemu does not name one. */
export function defaultQemu(arch?: "x86" | "riscv"): string {
  return arch === "riscv" ? DEFAULT_QEMU_RISCV : DEFAULT_QEMU;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Absolute path of the QEMU binary, or a clear error saying how to get it. */
export function findQemu(name = DEFAULT_QEMU): string {
  if (name.includes("/")) {
    const abs = isAbsolute(name) ? name : join(process.cwd(), name);
    if (executable(abs)) return abs;
    fail(`QEMU binary ${quote(name)} (target.vm.qemu) does not exist or is not executable`);
  }
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  const pkg = name === DEFAULT_QEMU_RISCV ? "qemu-system-misc" : "qemu-system-x86";
  fail(`QEMU binary ${quote(name)} is not on PATH; install the Debian package ${pkg} (apt-get install ${pkg}) or set target.vm.qemu`);
}

function readableFile(file: string, field: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (e) {
    fail(`${field} ${quote(file)} is not readable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!statSync(file).isFile()) fail(`${field} ${quote(file)} is not a regular file`);
}

/** Throws a WayfinderError naming the field when the target cannot run on this host. */
export function preflight(target: TargetSpec): { qemu: string } {
  const qemu = findQemu(target.vm.qemu ?? defaultQemu(target.vm.arch));
  if (target.kernel.path) readableFile(target.kernel.path, "target.kernel.path");
  if (target.image.initrd) readableFile(target.image.initrd, "target.image.initrd");
  return { qemu };
}
