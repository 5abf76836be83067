/**
 * The riscv64 guest image: the user's (or the build's) kernel plus an initramfs whose /init is the
 * static C program of riscv-init-source.ts, cross-compiled here with riscv64-linux-gnu-gcc. The binary
 * and the initramfs are cached by the hash of the C source, the compiler flags and the compiler's
 * version, so the compiler runs once per change of any of them; binaries are never committed.
 *
 * The initramfs is an uncompressed newc cpio: a kernel built without any RD_* decompressor (a
 * compile-time option the footprint search may switch off) still unpacks it.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fail, quote } from "../../lib/errors";
import { writeCpio } from "./cpio";
import type { BuiltImage } from "./image-builder";
import { riscvInitSource } from "./riscv-init-source";
import type { TargetSpec } from "./target";

export const RISCV_CC = "riscv64-linux-gnu-gcc";
/** No libc, no start files; --no-relax because nothing sets up gp for linker relaxation. */
export const RISCV_INIT_CFLAGS = [
  "-Os", "-static", "-nostdlib", "-ffreestanding", "-fno-builtin", "-fno-stack-protector", "-fno-pic", "-no-pie",
  "-mcmodel=medany", "-Wl,--no-relax", "-Wl,--build-id=none", "-Wall", "-Werror",
];

function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

const compilerVersions = new Map<string, string>();
function compilerVersion(cc: string): string {
  if (!compilerVersions.has(cc)) {
    const r = spawnSync(cc, ["--version"], { encoding: "utf8", timeout: 30_000 });
    if (r.error || r.status !== 0) {
      fail(`the riscv64 cross compiler ${quote(cc)} is not available (${r.error?.message ?? `exit ${r.status}`}): install the Debian package gcc-riscv64-linux-gnu (listed in scripts/apt-packages.txt)`);
    }
    compilerVersions.set(cc, r.stdout.split("\n")[0].trim());
  }
  return compilerVersions.get(cc)!;
}

/** Cross-compile the init into `cacheDir/riscv-init/<key>/init` unless it is there already. */
export function buildRiscvInit(cacheDir: string, opts: { cc?: string; onNote?: (s: string) => void } = {}): { key: string; path: string; built: boolean } {
  const cc = opts.cc ?? RISCV_CC;
  const source = riscvInitSource();
  const key = sha256(JSON.stringify({ source, flags: RISCV_INIT_CFLAGS, cc: compilerVersion(cc) })).slice(0, 20);
  const dir = join(cacheDir, "riscv-init", key);
  const path = join(dir, "init");
  if (existsSync(path)) return { key, path, built: false };
  opts.onNote?.(`cross-compiling the riscv64 guest init (${key})`);
  mkdirSync(join(cacheDir, "riscv-init"), { recursive: true });
  const work = mkdtempSync(join(cacheDir, "riscv-init", ".build-"));
  try {
    writeFileSync(join(work, "init.c"), source);
    const r = spawnSync(cc, [...RISCV_INIT_CFLAGS, "-o", join(work, "init"), join(work, "init.c")], { encoding: "utf8", timeout: 120_000 });
    if (r.error || r.status !== 0) fail(`${cc} could not compile the riscv64 guest init: ${(r.error?.message ?? r.stderr).trim().split("\n").slice(0, 6).join(" | ")}`);
    try {
      renameSync(work, dir);
    } catch (e) {
      // another process compiled the same source meanwhile: its binary is the same, keep it
      if (!existsSync(path)) throw e;
      return { key, path, built: false };
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { key, path, built: true };
}

/** The initramfs entries around a compiled init (pure). */
export function riscvInitramfs(init: Uint8Array): Buffer {
  return writeCpio([
    { path: "/init", type: "file", data: init, mode: 0o755 },
    ...["/proc", "/sys", "/dev", "/tmp"].map((d) => ({ path: d, type: "dir" as const })),
  ]);
}

/** The riscv64 counterpart of buildImage: target.kernel.path with the static-init initramfs. */
export function buildRiscvImage(target: TargetSpec, opts: { cacheDir: string; onNote?: (s: string) => void; cc?: string }): BuiltImage {
  const kernel = target.kernel.path;
  if (!kernel) fail("a riscv guest boots its own kernel: give target.kernel.path or a target.build section with arch: riscv (Debian's cloud kernel is x86 only)");
  try {
    if (!statSync(kernel).isFile()) throw new Error("not a regular file");
  } catch (e) {
    fail(`kernel image (target.kernel.path) ${quote(kernel)} is not readable: ${(e as Error).message}`);
  }
  const init = buildRiscvInit(opts.cacheDir, opts);
  const dir = join(opts.cacheDir, "images", `riscv-${init.key}`);
  const initrd = join(dir, "initrd.img");
  let built = false;
  if (!existsSync(initrd)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${initrd}.tmp-${process.pid}`;
    writeFileSync(tmp, riscvInitramfs(readFileSync(init.path)));
    renameSync(tmp, initrd);
    built = true;
  }
  const kernelSha = sha256(readFileSync(kernel)).slice(0, 12);
  return {
    key: `riscv-${init.key}`, dir, kernel, initrd,
    kernelVersion: `user:${basename(kernel)} sha256:${kernelSha}`,
    initrdBytes: statSync(initrd).size, built: built || init.built,
  };
}
