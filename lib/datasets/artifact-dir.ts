/**
 * Where the Wayfinder artifact's datasets are: $WAYFINDER_AE, else ../shared/datasets/wayfinder-ae next to
 * the project checkout (the layout of this project's machines). The toolkit never copies these files.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { WayfinderError } from "../errors";
import { projectRoot } from "./cache-dir";

/** The five random-search pools, by short name, as paths inside the artifact folder. */
export const ARTIFACT_POOLS = {
  redis: "measurements/linux-redis_3_only_OS_single_core.xlsx",
  sqlite: "measurements/linux-sqlite_13_only_OS_random_single_core.xlsx",
  npb: "measurements/linux-hpc_default_56.xlsx",
  "linux-riscv": "measurements/linux-riscv.xlsx",
  "unikraft-nginx": "measurements/rand_unikraft-nginx_197.xlsx",
} as const;

export type ArtifactPoolName = keyof typeof ARTIFACT_POOLS;

/** The artifact folder (the one holding measurements/ and plotting/); throws when it cannot be found. */
export function artifactDir(): string {
  const candidates = process.env.WAYFINDER_AE
    ? [resolve(process.env.WAYFINDER_AE)]
    : [projectRoot(), process.cwd()].filter((d): d is string => d !== null).map((d) => resolve(d, "../shared/datasets/wayfinder-ae"));
  const found = candidates.find((d) => existsSync(join(d, "measurements")));
  if (!found) {
    throw new WayfinderError(`the Wayfinder artifact datasets were not found (looked in ${candidates.join(", ")}); set WAYFINDER_AE to the folder holding measurements/`);
  }
  return found;
}

/** Path of one of the five pools, e.g. artifactPool("redis"). */
export function artifactPool(name: ArtifactPoolName): string {
  const rel = ARTIFACT_POOLS[name];
  if (!rel) throw new WayfinderError(`unknown pool ${JSON.stringify(name)}; known: ${Object.keys(ARTIFACT_POOLS).join(", ")}`);
  return join(artifactDir(), rel);
}
