/**
 * Builds the guest image from Debian packages and caches it by content: the kernel (Debian's cloud
 * flavour by default) and an initramfs with busybox, the guest agent, the kernel modules the agent
 * loads, and the target's binaries with exactly the shared libraries they need. The cache key is a
 * hash of every input (package versions, file lists, the agent script), so a change of any input
 * builds a new image and nothing else ever does.
 */
import { createHash } from "node:crypto";
import { accessSync, constants, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, posix } from "node:path";
import { gzipSync } from "node:zlib";
import { fail, quote } from "../../lib/errors";
import { candidateVersions, extractDeb, fetchDeb, libraryClosure, resolveKernelPackage } from "./apt";
import { writeCpio, type CpioEntry } from "./cpio";
import { elfDeps, isElf } from "./elf";
import { GUEST_INIT } from "./guest-init";
import { buildRiscvImage } from "./riscv-image";
import type { TargetSpec } from "./target";

/** Bump when the image layout changes in a way the inputs do not show. */
const BUILDER_VERSION = 1;
export const DEFAULT_KERNEL_PACKAGE = "linux-image-cloud-amd64";
/** pvpanic makes a guest panic end QEMU at once; the mmio driver binds the ISA device QEMU provides. */
export const DEFAULT_MODULES = ["pvpanic", "pvpanic-mmio"];
const LIB_DIRS = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"];
const GUEST_LIB_DIR = "/lib/x86_64-linux-gnu";

export interface BuiltImage {
  key: string;
  dir: string;
  kernel: string;
  initrd: string;
  /** e.g. "linux-image-6.1.0-56-cloud-amd64 6.1.192-2" or "user:<file> sha256:<prefix>". */
  kernelVersion: string;
  initrdBytes: number;
  /** True when this call built the image, false when it came from the cache. */
  built: boolean;
}

function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function readable(file: string, what: string): void {
  try {
    accessSync(file, constants.R_OK);
    if (!statSync(file).isFile()) throw new Error("not a regular file");
  } catch (e) {
    fail(`${what} ${quote(file)} is not readable: ${(e as Error).message}`);
  }
}

/** Follow symlinks inside an unpacked root, component by component (absolute targets are relative to the root). */
export function resolveInRoot(root: string, guestPath: string): string | undefined {
  let parts = guestPath.split("/").filter(Boolean);
  let resolved: string[] = [];
  let hops = 0;
  while (parts.length) {
    const name = parts.shift()!;
    if (name === ".") continue;
    if (name === "..") {
      resolved.pop();
      continue;
    }
    const host = join(root, ...resolved, name);
    let st;
    try {
      st = lstatSync(host);
    } catch {
      return undefined;
    }
    if (!st.isSymbolicLink()) {
      resolved.push(name);
      continue;
    }
    if (++hops > 40) return undefined;
    const t = readlinkSync(host);
    if (t.startsWith("/")) resolved = [];
    parts = [...t.split("/").filter(Boolean), ...parts];
  }
  return join(root, ...resolved);
}

interface Inputs {
  kernel: { kind: "deb"; pkg: string; version: string } | { kind: "file"; path: string; sha: string };
  modules: string[];
  packages: [string, string][];
  busybox: string;
  binaries: string[];
  paths: string[];
  files: Record<string, string>;
  userInitrd?: { path: string; sha: string };
}

function gatherInputs(target: TargetSpec): Inputs {
  let kernel: Inputs["kernel"];
  if (target.kernel.path) {
    readable(target.kernel.path, "kernel image (target.kernel.path)");
    kernel = { kind: "file", path: target.kernel.path, sha: sha256(readFileSync(target.kernel.path)) };
  } else {
    const pkg = resolveKernelPackage(target.kernel.package ?? DEFAULT_KERNEL_PACKAGE);
    kernel = { kind: "deb", pkg, version: candidateVersions([pkg]).get(pkg)! };
  }
  let userInitrd: Inputs["userInitrd"];
  if (target.image.initrd) {
    readable(target.image.initrd, "initramfs (target.image.initrd)");
    userInitrd = { path: target.image.initrd, sha: sha256(readFileSync(target.image.initrd)) };
  }
  const closure = libraryClosure([...target.image.packages, "busybox-static"]);
  const versions = candidateVersions(closure);
  return {
    kernel,
    modules: target.kernel.modules ?? (kernel.kind === "deb" ? DEFAULT_MODULES : []),
    packages: closure.map((p) => [p, versions.get(p)!]),
    busybox: versions.get("busybox-static")!,
    binaries: [...target.image.binaries],
    paths: [...(target.image.paths ?? [])],
    files: { ...(target.image.files ?? {}) },
    userInitrd,
  };
}

/**
 * apt queries take seconds on a loaded machine, so the resolved inputs are kept on disk, keyed by the
 * target's image section and the age of apt's package lists (an "apt-get update" re-resolves).
 */
function cachedInputs(target: TargetSpec, cacheDir: string): Inputs {
  let lists = "none";
  try {
    lists = readdirSync("/var/lib/apt/lists").filter((f) => f.includes("Packages")).map((f) => `${f}:${statSync(join("/var/lib/apt/lists", f)).mtimeMs}`).sort().join(",");
  } catch {
    // no apt lists: gatherInputs will say so
  }
  const userFiles = [target.kernel.path, target.image.initrd].filter((f): f is string => !!f).map((f) => {
    try {
      const st = statSync(f);
      return `${f}:${st.size}:${st.mtimeMs}`;
    } catch {
      return `${f}:missing`;
    }
  });
  const key = sha256(JSON.stringify([BUILDER_VERSION, target.kernel, target.image, lists, userFiles])).slice(0, 20);
  const file = join(cacheDir, "resolved", `${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as Inputs;
  const inputs = gatherInputs(target);
  mkdirSync(join(cacheDir, "resolved"), { recursive: true });
  writeFileSync(file, JSON.stringify(inputs));
  return inputs;
}

const memo = new Map<string, BuiltImage>();

/** The image for a target, from the cache when its inputs are unchanged. */
export function buildImage(target: TargetSpec, opts: { cacheDir: string; onNote?: (s: string) => void }): BuiltImage {
  // The riscv guest has its own image: the target's kernel and a static C /init (riscv-image.ts).
  if (target.vm.arch === "riscv") return buildRiscvImage(target, opts);
  const memoKey = JSON.stringify([opts.cacheDir, target.kernel, target.image]);
  const hit = memo.get(memoKey);
  if (hit && existsSync(hit.initrd)) return { ...hit, built: false };
  const inputs = cachedInputs(target, opts.cacheDir);
  const key = sha256(JSON.stringify({ v: BUILDER_VERSION, inputs: { ...inputs, kernel: { ...inputs.kernel, path: undefined }, userInitrd: inputs.userInitrd?.sha }, init: GUEST_INIT })).slice(0, 20);
  const dir = join(opts.cacheDir, "images", key);
  const kernelVersion = inputs.kernel.kind === "deb" ? `${inputs.kernel.pkg} ${inputs.kernel.version}` : `user:${basename(inputs.kernel.path)} sha256:${inputs.kernel.sha.slice(0, 12)}`;
  const kernelPath = inputs.kernel.kind === "deb" ? join(dir, "vmlinuz") : inputs.kernel.path;
  let built = false;
  if (!existsSync(join(dir, "manifest.json"))) {
    opts.onNote?.(`building guest image ${key} (${inputs.packages.length} packages)`);
    assemble(inputs, dir, opts.cacheDir);
    built = true;
  }
  const initrd = join(dir, "initrd.img");
  const image: BuiltImage = { key, dir, kernel: kernelPath, initrd, kernelVersion, initrdBytes: statSync(initrd).size, built };
  memo.set(memoKey, image);
  return image;
}

function assemble(inputs: Inputs, dir: string, cacheDir: string): void {
  mkdirSync(join(cacheDir, "images"), { recursive: true });
  const work = mkdtempSync(join(cacheDir, "images", ".build-"));
  try {
    const root = join(work, "root");
    for (const [pkg, version] of inputs.packages) extractDeb(fetchDeb(cacheDir, pkg, version), root);
    const out = join(work, "out");
    mkdirSync(out);
    const entries: CpioEntry[] = [];
    const add = (path: string, hostFile: string, mode = 0o755) => entries.push({ path, type: "file", data: readFileSync(hostFile), mode });

    // The kernel and its modules.
    if (inputs.kernel.kind === "deb") {
      const kroot = join(work, "kernel");
      extractDeb(fetchDeb(cacheDir, inputs.kernel.pkg, inputs.kernel.version), kroot);
      const vmlinuz = readdirSync(join(kroot, "boot")).find((f) => f.startsWith("vmlinuz-"));
      if (!vmlinuz) fail(`Debian package ${inputs.kernel.pkg} has no /boot/vmlinuz-*: is it a kernel image package?`);
      copyFileSync(join(kroot, "boot", vmlinuz), join(out, "vmlinuz"));
      const modRoot = join(kroot, "lib/modules", vmlinuz.slice("vmlinuz-".length));
      const index = new Map<string, string>();
      const walk = (d: string) => {
        for (const f of readdirSync(d, { withFileTypes: true })) {
          if (f.isDirectory()) walk(join(d, f.name));
          else if (f.name.endsWith(".ko")) index.set(f.name.slice(0, -3).replace(/-/g, "_"), join(d, f.name));
        }
      };
      if (existsSync(modRoot)) walk(modRoot);
      for (const m of inputs.modules) {
        if (!/^[A-Za-z0-9_-]+$/.test(m)) fail(`invalid kernel module name ${quote(m)} in target.kernel.modules`);
        const file = index.get(m.replace(/-/g, "_"));
        if (!file) fail(`kernel module ${quote(m)} (target.kernel.modules) is not in ${inputs.kernel.pkg}; it may be built in or misspelled`);
        add(`/lib/modules/wf/${m}.ko`, file, 0o644);
      }
    }
    entries.push({ path: "/wf/modules", type: "file", data: inputs.modules.map((m) => m + "\n").join("") });

    // busybox and the agent.
    const busybox = resolveInRoot(root, "/bin/busybox");
    if (!busybox) fail("busybox-static did not provide /bin/busybox");
    add("/bin/busybox", busybox);
    entries.push({ path: "/bin/sh", type: "symlink", target: "busybox" });
    entries.push({ path: "/init", type: "file", data: GUEST_INIT, mode: 0o755 });
    entries.push({ path: "/etc/passwd", type: "file", data: "root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n" });
    entries.push({ path: "/etc/group", type: "file", data: "root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n" });
    entries.push({ path: "/etc/hosts", type: "file", data: "127.0.0.1 localhost\n" });
    for (const d of ["/root", "/tmp", "/proc", "/sys", "/dev", "/run", "/var/log"]) entries.push({ path: d, type: "dir" });

    // Binaries and, transitively, the libraries they need (all placed where the loader looks by default).
    const libs = new Map<string, string>();
    const queue: { guest: string; host: string }[] = [];
    for (const b of inputs.binaries) {
      const host = resolveInRoot(root, b);
      if (!host) fail(`binary ${quote(b)} (target.image.binaries) is in none of the packages ${inputs.packages.map((p) => p[0]).filter((p) => !/^(lib|zlib)/.test(p)).join(", ")}`);
      add(b, host);
      queue.push({ guest: b, host });
    }
    while (queue.length) {
      const { guest, host } = queue.shift()!;
      const buf = readFileSync(host);
      if (!isElf(buf)) continue;
      const deps = elfDeps(buf, guest);
      if (deps.interpreter && !libs.has(deps.interpreter)) {
        const h = resolveInRoot(root, deps.interpreter);
        if (!h) fail(`${guest} needs the loader ${deps.interpreter}, which no package provides (add libc6?)`);
        libs.set(deps.interpreter, h);
        add(deps.interpreter, h);
      }
      for (const soname of deps.needed) {
        if (libs.has(soname)) continue;
        const dirs = [...deps.runpath.map((r) => r.replace("$ORIGIN", posix.dirname(guest))), ...LIB_DIRS];
        const h = dirs.map((d) => resolveInRoot(root, posix.join(d, soname))).find((x) => x !== undefined);
        if (!h) fail(`${guest} needs ${soname}, which none of the packages provide; add the Debian package that ships it to target.image.packages`);
        libs.set(soname, h);
        add(posix.join(GUEST_LIB_DIR, soname), h);
        queue.push({ guest: posix.join(GUEST_LIB_DIR, soname), host: h });
      }
    }

    // Other paths (files or whole directories) from the packages.
    for (const p of inputs.paths) {
      const host = resolveInRoot(root, p);
      if (!host) fail(`path ${quote(p)} (target.image.paths) is in none of the packages`);
      const copy = (guest: string, h: string) => {
        const st = lstatSync(h);
        if (st.isDirectory()) for (const f of readdirSync(h)) copy(posix.join(guest, f), join(h, f));
        else if (st.isSymbolicLink()) entries.push({ path: guest, type: "symlink", target: readlinkSync(h) });
        else add(guest, h, st.mode & 0o777);
      };
      copy(p, host);
    }
    for (const [path, content] of Object.entries(inputs.files)) entries.push({ path, type: "file", data: content, mode: 0o644 });

    const cpio = writeCpio(entries);
    const initrd = inputs.userInitrd ? Buffer.concat([readFileSync(inputs.userInitrd.path), Buffer.alloc((4 - (statSync(inputs.userInitrd.path).size % 4)) % 4), gzipSync(cpio)]) : gzipSync(cpio, { level: 6 });
    writeFileSync(join(out, "initrd.img"), initrd);
    writeFileSync(join(out, "manifest.json"), JSON.stringify({ inputs, libraries: [...libs.keys()].sort(), entries: entries.length }, null, 2));
    mkdirSync(dirname(dir), { recursive: true });
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    renameSync(out, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
