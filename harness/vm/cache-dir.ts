/** Where built images and downloaded packages are kept: $WAYFINDER_CACHE, else <repo>/.cache/wayfinder. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export function defaultCacheDir(): string {
  if (process.env.WAYFINDER_CACHE) return resolve(process.env.WAYFINDER_CACHE);
  let dir = process.cwd();
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && /"name":\s*"wayfinder-ts"/.test(readFileSync(pkg, "utf8"))) return join(dir, ".cache/wayfinder");
    const up = dirname(dir);
    if (up === dir) return join(process.cwd(), ".cache/wayfinder");
    dir = up;
  }
}
