/**
 * Read the Kconfig tree of a source directory: either the tree one architecture sees from ./Kconfig
 * (what `make menuconfig ARCH=x86` shows), or every Kconfig* file of the source (all architectures).
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { WayfinderError, quote } from "../errors";
import { parseKconfig, type KconfigSource } from "./parse-kconfig";
import type { KconfigTree } from "./types";

export interface ReadKconfigTreeOptions {
  /** SRCARCH for the tree reached from ./Kconfig; default: the host's (x86 on x86_64). */
  arch?: string;
  /** Every Kconfig* file instead of one architecture's tree. */
  all?: boolean;
  /** Extra `$(NAME)` variables. */
  env?: Record<string, string>;
}

/**
 * Files left out of the all-architectures count: the kconfig tool's own test fixtures (deliberately
 * broken inputs) and the documentation's examples of dependency loops. They configure no kernel.
 */
export const NON_KERNEL_KCONFIG_DIRS = ["scripts/kconfig/tests/", "Documentation/kbuild/"];

export function readKconfigTree(dir: string, options: ReadKconfigTreeOptions = {}): KconfigTree {
  const root = resolve(dir);
  assertKconfigTree(root);
  const source = directorySource(root);
  if (options.all) {
    return parseKconfig({
      root, scope: "all", entries: listKconfigFiles(root), followSource: false, source,
      env: { srctree: root, ...options.env },
    });
  }
  const arch = options.arch ?? hostArch();
  const archDirs = existsSync(join(root, "arch")) ? listArches(root) : [];
  if (archDirs.length > 0 && !archDirs.includes(arch)) {
    throw new WayfinderError(`--arch ${quote(arch)}: no arch/${arch}/Kconfig in ${root}; valid: ${archDirs.join(", ")}`);
  }
  return parseKconfig({
    root, scope: `arch:${arch}`, entries: ["Kconfig"], source,
    // HEADER_ARCH is only used by User-mode Linux, whose headers come from the host architecture.
    env: { srctree: root, ARCH: arch, SRCARCH: arch, HEADER_ARCH: "x86", SUBARCH: "x86", ...options.env },
  });
}

/** Throw a clear error unless `root` looks like a Kconfig source tree (a Kconfig file at its top). */
export function assertKconfigTree(root: string): void {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new WayfinderError(`${quote(root)} is not a directory`);
  if (!existsSync(join(root, "Kconfig"))) {
    throw new WayfinderError(`${quote(root)} is not a kernel source tree: it has no Kconfig file at its top (expected e.g. the directory linux-source-6.1 extracted from /usr/src/linux-source-6.1.tar.xz)`);
  }
}

/** Architectures with an arch/<name>/Kconfig, sorted. */
export function listArches(root: string): string[] {
  return readdirSync(join(root, "arch")).filter((a) => existsSync(join(root, "arch", a, "Kconfig"))).sort();
}

/** Every file whose name starts with "Kconfig", relative to root, sorted, minus NON_KERNEL_KCONFIG_DIRS. */
export function listKconfigFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name !== ".git") walk(path);
      } else if (entry.isFile() && entry.name.startsWith("Kconfig")) {
        if (!NON_KERNEL_KCONFIG_DIRS.some((d) => path.startsWith(d))) out.push(path);
      }
    }
  };
  walk("");
  return out.sort();
}

function hostArch(): string {
  const map: Record<string, string> = { x64: "x86", ia32: "x86", arm64: "arm64", arm: "arm", riscv64: "riscv", ppc64: "powerpc", s390x: "s390" };
  return map[process.arch] ?? process.arch;
}

function directorySource(root: string): KconfigSource {
  return {
    read(path) {
      const full = join(root, path);
      try {
        return statSync(full).isFile() ? readFileSync(full, "utf8") : undefined;
      } catch {
        return undefined;
      }
    },
    glob(pattern) {
      return globFiles(root, pattern);
    },
  };
}

/** Minimal glob (`*`, `?`, `[...]` within one path segment) over files under root, sorted. */
function globFiles(root: string, pattern: string): string[] {
  const segments = pattern.split("/").filter((s) => s !== "" && s !== ".");
  const toRegex = (seg: string) =>
    new RegExp("^" + seg.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]") + "$");
  let current = [""];
  segments.forEach((seg, k) => {
    const last = k === segments.length - 1;
    const next: string[] = [];
    for (const base of current) {
      const dir = join(root, base);
      if (!/[*?[]/.test(seg)) {
        const p = base ? `${base}/${seg}` : seg;
        if (existsSync(join(root, p))) next.push(p);
        continue;
      }
      let names: string[] = [];
      try { names = readdirSync(dir); } catch { continue; }
      const re = toRegex(seg);
      for (const n of names) if (re.test(n)) next.push(base ? `${base}/${n}` : n);
    }
    current = last ? next.filter((p) => statSync(join(root, p)).isFile()) : next.filter((p) => statSync(join(root, p)).isDirectory());
  });
  return current.sort();
}
