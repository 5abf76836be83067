/**
 * The Linux source tree the toolkit counts and builds: Debian's linux-source-6.1 tarball, extracted
 * once into <repo>/.cache/linux-source-6.1 (about 20 s, 1.5 GB) and reused by every later run and
 * test. The extraction goes to a temporary directory renamed into place, so an interrupted run never
 * leaves a half tree that looks complete.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { WayfinderError } from "../../lib/errors";
import { acquireDirLock } from "./dir-lock";

export const DEFAULT_KERNEL_TARBALL = "/usr/src/linux-source-6.1.tar.xz";
export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const DEFAULT_CACHE_DIR = join(REPO_ROOT, ".cache");

export interface KernelSourceOptions {
  tarball?: string;
  /** Directory that receives the tree; default <repo>/.cache. */
  cacheDir?: string;
  onNote?: (note: string) => void;
}

const STAMP = ".wayfinder-extracted";

/** Path of the extracted tree, extracting it first when missing or incomplete. */
export function ensureKernelSource(options: KernelSourceOptions = {}): string {
  const tarball = options.tarball ?? DEFAULT_KERNEL_TARBALL;
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  if (!existsSync(tarball)) {
    throw new WayfinderError(
      `kernel source tarball ${tarball} not found: install it with "apt-get install linux-source-6.1" (listed in scripts/apt-packages.txt)`,
    );
  }
  const top = tarballTopDir(tarball);
  const tree = join(cacheDir, top);
  const st = statSync(tarball);
  const stamp = `${tarball} ${st.size} ${Math.round(st.mtimeMs)}\n`;
  if (existsSync(join(tree, STAMP)) && readFileSync(join(tree, STAMP), "utf8") === stamp) return tree;

  mkdirSync(cacheDir, { recursive: true });
  const release = acquireDirLock(`${tree}.lock`, 10 * 60_000);
  try {
    if (existsSync(join(tree, STAMP)) && readFileSync(join(tree, STAMP), "utf8") === stamp) return tree;
    options.onNote?.(`extracting ${tarball} into ${cacheDir} (once; about 20 s)`);
    const tmp = `${tree}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const r = spawnSync("tar", ["-xJf", tarball, "-C", tmp], { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
    if (r.status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      throw new WayfinderError(`extracting ${tarball} failed (tar exit ${r.status}): ${r.stderr.trim().slice(0, 300)}`);
    }
    rmSync(tree, { recursive: true, force: true });
    renameSync(join(tmp, top), tree);
    rmSync(tmp, { recursive: true, force: true });
    writeFileSync(join(tree, STAMP), stamp);
    return tree;
  } finally {
    release();
  }
}

/** The single top-level directory of the tarball (linux-source-6.1), read from its first entry. */
function tarballTopDir(tarball: string): string {
  const name = tarball.replace(/^.*\//, "").replace(/\.tar(\.[a-z0-9]+)?$/, "");
  if (/^linux-source-[0-9.]+$/.test(name)) return name;
  throw new WayfinderError(`${tarball}: expected a Debian linux-source-<version>.tar.xz tarball`);
}
