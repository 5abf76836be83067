/** Where built images and downloaded packages are kept: $WAYFINDER_CACHE, else <repo>/.cache/wayfinder. */
import { join, resolve } from "node:path";
import { projectRoot } from "../../lib/datasets/cache-dir";

export function defaultCacheDir(): string {
  if (process.env.WAYFINDER_CACHE) return resolve(process.env.WAYFINDER_CACHE);
  return join(projectRoot() ?? process.cwd(), ".cache/wayfinder");
}
