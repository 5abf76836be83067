/**
 * Where the tests find the Wayfinder artifact's datasets: ../shared/datasets/wayfinder-ae relative to
 * the repository root (or $WAYFINDER_AE). Tests that need it skip, saying why, when it is absent.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../..");
export const artifactDir = resolve(process.env.WAYFINDER_AE ?? join(repoRoot, "../shared/datasets/wayfinder-ae"));
export const haveArtifact = existsSync(join(artifactDir, "measurements"));
export const missingArtifact = haveArtifact ? undefined : `artifact datasets not found at ${artifactDir} (set WAYFINDER_AE)`;

export const artifact = (...parts: string[]) => join(artifactDir, ...parts);
export const pool = (name: string) => artifact("measurements", name);

export const POOLS = {
  redis: pool("linux-redis_3_only_OS_single_core.xlsx"),
  sqlite: pool("linux-sqlite_13_only_OS_random_single_core.xlsx"),
  hpc: pool("linux-hpc_default_56.xlsx"),
  riscv: pool("linux-riscv.xlsx"),
  unikraft: pool("rand_unikraft-nginx_197.xlsx"),
};
