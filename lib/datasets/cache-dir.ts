/**
 * Where parsed files are cached. Reading a 2000-row artifact pool from .xlsx takes seconds, and every
 * analysis and test loads the pools again, so the parsed cells are kept as JSON, keyed by the file's
 * absolute path, size and modification time (a changed file is simply parsed again).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tmpdir } from "node:os";

let root: string | null | undefined;

/**
 * The wayfinder-ts checkout that contains the working directory, found by walking up to its
 * package.json (notebooks run from notebooks/), or null when running elsewhere.
 */
export function projectRoot(): string | null {
  if (root !== undefined) return root;
  let dir = process.cwd();
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, "utf8")).name === "wayfinder-ts") return (root = dir);
      } catch {
        // An unreadable package.json belongs to something else; keep walking up.
      }
    }
    const up = dirname(dir);
    if (up === dir) return (root = null);
    dir = up;
  }
}

/**
 * The cache folder: $WAYFINDER_CACHE_DIR if set, else .cache/datasets in the project checkout, else a
 * folder in the system's temporary directory.
 */
export function datasetCacheDir(): string {
  if (process.env.WAYFINDER_CACHE_DIR) return process.env.WAYFINDER_CACHE_DIR;
  const r = projectRoot();
  return r ? join(r, ".cache", "datasets") : join(tmpdir(), "wayfinder-ts-cache", "datasets");
}
