/**
 * Compile-time evaluation of a Unikraft application in the user's checkout:
 * 1. the requested values (already in .config spelling) are merged into the base configuration and
 *    written as the app's .config; `make olddefconfig` resolves them;
 * 2. olddefconfig exits 0 even when it drops or resets a value, so the resulting .config is compared
 *    with the request: any value lost is status "config" with the values and why, never a success;
 * 3. `make` builds the image in the app's build tree (kept warm: a close configuration recompiles
 *    little); a failure is status "build" with the first error lines of the log;
 * 4. the image and its .config are cached under the hash of everything that determines them, so a
 *    permutation differing only in runtime/application values reuses the image without running make.
 * The app directory is locked for the whole build: two evaluators never share one build tree at once.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { WayfinderError, quote } from "../../lib/errors";
import { droppedConfigValues, explainDroppedValues, parseDotConfig, type DroppedValue, type KconfigTree } from "../../lib/kconfig";
import { acquireDirLock } from "../build/dir-lock";
import { firstErrorLines } from "../build/first-error-lines";
import { unikraftMakeArgv } from "./make-argv";
import { mergeDotConfig } from "./merge-dot-config";
import type { UnikraftPaths } from "./unikraft-paths";
import type { UnikraftBuildSpec } from "./unikraft-target";

export type UnikraftBuildStatus = "built" | "cached" | "config" | "build" | "timeout";

export interface UnikraftBuildResult {
  status: UnikraftBuildStatus;
  key: string;
  requested: Record<string, string>;
  image?: string;
  config?: string;
  dropped?: DroppedValue[];
  errorLines?: string[];
  /** The last lines of the make log (failures). */
  logTail?: string;
  log?: string;
  seconds: number;
}

export interface BuildUnikernelOptions {
  paths: UnikraftPaths;
  build: UnikraftBuildSpec;
  /** Symbol -> value in .config spelling (normalised against the Kconfig tree when there is one). */
  requested: Record<string, string>;
  tree?: KconfigTree;
  cacheDir: string;
  signal?: AbortSignal;
  onNote?: (note: string) => void;
}

/** The cache key: every input that decides the image. Pure. */
export function unikraftBuildKey(paths: UnikraftPaths, build: UnikraftBuildSpec, baseText: string, requested: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(requested).sort(([a], [b]) => a.localeCompare(b)));
  const vars = Object.fromEntries(Object.entries(build.makeVariables).sort(([a], [b]) => a.localeCompare(b)));
  return createHash("sha256").update(JSON.stringify({ v: 1, paths, base: baseText, requested: sorted, vars, image: build.image ?? null })).digest("hex").slice(0, 24);
}

/** The unikernel image under build/: the configured one, or the single *_qemu-x86_64 / *_kvm-x86_64 file. */
export function findUnikernelImage(app: string, configured?: string): string {
  if (configured) {
    const p = join(app, configured);
    if (!existsSync(p)) throw new WayfinderError(`the build finished but target.build.image ${quote(configured)} does not exist in ${app}`);
    return p;
  }
  const dir = join(app, "build");
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => /_(qemu|kvm)-x86_64$/.test(f) && statSync(join(dir, f)).isFile()) : [];
  if (found.length !== 1) {
    throw new WayfinderError(`cannot tell which file of ${dir} is the unikernel image (${found.length ? `candidates: ${found.join(", ")}` : "no *_qemu-x86_64 or *_kvm-x86_64 file"}); set target.build.image`);
  }
  return join(dir, found[0]!);
}

export async function buildUnikernel(o: BuildUnikernelOptions): Promise<UnikraftBuildResult> {
  const t0 = Date.now();
  const seconds = () => (Date.now() - t0) / 1000;
  const { paths, build, requested } = o;
  const baseFile = join(paths.app, build.baseConfig ?? ".wayfinder-base.config");
  // The first build saves the app's own .config (or an empty one) as the base, so later builds never start from a previous permutation's.
  if (!build.baseConfig && !existsSync(baseFile)) {
    if (existsSync(join(paths.app, ".config"))) copyFileSync(join(paths.app, ".config"), baseFile);
    else writeFileSync(baseFile, "");
  }
  const baseText = existsSync(baseFile) ? readFileSync(baseFile, "utf8") : "";
  if (build.baseConfig && !existsSync(baseFile)) throw new WayfinderError(`target.build.baseConfig ${quote(build.baseConfig)}: no such file in ${paths.app}`);
  const key = unikraftBuildKey(paths, build, baseText, requested);
  const entry = join(o.cacheDir, "unikraft-builds", key);
  if (existsSync(join(entry, "image"))) {
    return { status: "cached", key, requested, image: join(entry, "image"), config: join(entry, "config"), seconds: seconds() };
  }
  mkdirSync(join(o.cacheDir, "unikraft-builds"), { recursive: true });
  const lockName = createHash("sha256").update(paths.app).digest("hex").slice(0, 16);
  const release = acquireDirLock(join(o.cacheDir, "unikraft-builds", `lock-${lockName}`), build.timeoutS * 1000 + 60_000);
  try {
    writeFileSync(join(paths.app, ".config"), mergeDotConfig(baseText, requested));
    const jobs = build.jobs ?? availableParallelism();
    const run = async (goal: "olddefconfig" | "build") => {
      const { file, args } = unikraftMakeArgv(paths, goal, { jobs, makeVariables: build.makeVariables });
      o.onNote?.(`unikraft: make ${goal === "build" ? `-j${jobs}` : goal} in ${paths.app}`);
      return execa(file, args, {
        reject: false, all: true, stdin: "ignore", timeout: build.timeoutS * 1000, forceKillAfterDelay: 5000,
        ...(o.signal ? { cancelSignal: o.signal } : {}),
      });
    };
    const fromLog = (r: Awaited<ReturnType<typeof run>>, what: string): UnikraftBuildResult => {
      const log = String(r.all ?? "");
      if (r.timedOut) return { status: "timeout", key, requested, errorLines: [`${what} did not finish within ${build.timeoutS} s`], log, logTail: tail(log), seconds: seconds() };
      const lines = firstErrorLines(log);
      return {
        status: "build", key, requested, log, logTail: tail(log), seconds: seconds(),
        errorLines: lines.length ? lines : [`${what} failed (${r.exitCode !== undefined ? `exit status ${r.exitCode}` : r.shortMessage}) without a recognisable error line`],
      };
    };
    const cfg = await run("olddefconfig");
    if (cfg.isCanceled) throw new WayfinderError("the build was interrupted");
    if (cfg.failed) return fromLog(cfg, "make olddefconfig");
    const resolved = parseDotConfig(readFileSync(join(paths.app, ".config"), "utf8"), join(paths.app, ".config"));
    let dropped = droppedConfigValues(requested, resolved);
    if (dropped.length) {
      if (o.tree) dropped = explainDroppedValues(o.tree, dropped);
      return { status: "config", key, requested, dropped, config: join(paths.app, ".config"), seconds: seconds() };
    }
    const make = await run("build");
    if (make.isCanceled) throw new WayfinderError("the build was interrupted");
    if (make.failed) return fromLog(make, "make");
    const image = findUnikernelImage(paths.app, build.image);
    const tmp = `${entry}.tmp-${process.pid}`;
    mkdirSync(tmp, { recursive: true });
    copyFileSync(image, join(tmp, "image"));
    copyFileSync(join(paths.app, ".config"), join(tmp, "config"));
    writeFileSync(join(tmp, "build.log"), String(make.all ?? ""));
    renameSync(tmp, entry);
    return { status: "built", key, requested, image: join(entry, "image"), config: join(entry, "config"), seconds: seconds() };
  } finally {
    release();
  }
}

function tail(log: string, lines = 30): string {
  return log.split("\n").slice(-lines).join("\n");
}
