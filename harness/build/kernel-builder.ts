/**
 * Compile-time evaluations: a Linux kernel built from a base configuration (tinyconfig plus what the
 * guest needs, or a user-supplied .config) plus a permutation's options.
 *
 * 1. The request is checked against the tree's Kconfig (unknown option or wrong type: WayfinderError;
 *    two members of one choice set to y: outcome "config").
 * 2. base + options are written as .config and `make olddefconfig` resolves them. It exits 0 even when
 *    it drops or resets a requested value, so the resulting .config is compared with the request; any
 *    value lost is an outcome "config" listing the values and why, never a success.
 * 3. `make bzImage` in one warm build tree per (source, arch, toolchain), so a configuration close to
 *    the previous one recompiles only the objects its options touch. Failures are outcome "build" with
 *    the first error lines of the log. KBUILD_BUILD_TIMESTAMP/USER/HOST/VERSION are fixed so the same
 *    configuration gives the same bytes.
 * 4. Results are cached twice: by the hash of the request (source, toolchain, arch, base, options) and
 *    by the hash of the resolved .config, so two requests that resolve to the same configuration share
 *    one image. A cached image is reused for every boot/runtime variation.
 */
import { createHash } from "node:crypto";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { WayfinderError, quote } from "../../lib/errors";
import type { Outcome } from "../../lib/search/searcher";
import {
  assertKconfigTree, droppedConfigValues, explainDroppedValues, normalizeConfigRequest, parseDotConfig, readKconfigTree,
  renderConfigFragment, type ChoiceConflict, type DroppedValue, type KconfigTree, type RequestedValue,
} from "../../lib/kconfig";
import { acquireDirLock } from "./dir-lock";
import { firstErrorLines } from "./first-error-lines";
import { GUEST_BASE_OPTIONS, KERNEL_IMAGE } from "./guest-base-options";
import { DEFAULT_CACHE_DIR } from "./kernel-source";

export type BaseConfig =
  /** `make tinyconfig` plus GUEST_BASE_OPTIONS[arch] plus `extra`. */
  | { kind: "tinyconfig"; extra?: Record<string, string> }
  /** A whole .config written by the user (e.g. a distribution's), used as is before the options. */
  | { kind: "file"; path: string };

export interface KernelBuilderOptions {
  /** An extracted Linux source tree (ensureKernelSource()). */
  sourceDir: string;
  /** Kernel ARCH; "x86" (default) or "riscv" (needs gcc-riscv64-linux-gnu). */
  arch?: string;
  base?: BaseConfig;
  /** Root of the build cache; default <repo>/.cache/wayfinder/kernel-builds. */
  cacheDir?: string;
  /** make -j; default the number of CPUs. */
  jobs?: number;
  /** Extra make variables, e.g. { CC: "ccache gcc" } or CROSS_COMPILE for riscv. */
  makeVariables?: Record<string, string>;
  /** Wall-clock limit of one `make` for the image (default 1 h). */
  buildTimeoutS?: number;
  onNote?: (note: string) => void;
}

/**
 * built: a new image; cached: an image from the cache; resolved: resolve() only, every value survived;
 * config: a requested value was dropped/reset or a choice conflict; build: make failed; timeout.
 */
export type BuildStatus = "built" | "cached" | "resolved" | "config" | "build" | "timeout";

export interface KernelBuildResult {
  status: BuildStatus;
  /** Hash of the request (source, toolchain, arch, base, options). */
  requestKey: string;
  /** The options as written into .config. */
  requested: Record<string, string>;
  /** Hash of the resolved .config; images are stored under it. */
  configHash?: string;
  /** The kernel image (bzImage) in the cache. */
  image?: string;
  /** The resolved .config in the cache (or in the build tree for a config failure). */
  config?: string;
  dropped?: DroppedValue[];
  choiceConflicts?: ChoiceConflict[];
  /** First error lines of a failed build. */
  errorLines?: string[];
  log?: string;
  /** Objects compiled by this build (`CC` lines): small for an incremental rebuild. */
  compiled?: number;
  imageBytes?: number;
  timings: { configS: number; buildS: number; totalS: number };
  /** Where a cached result came from: the request cache or another request with the same .config. */
  cacheHit?: "request" | "config";
}

const BUILD_ENV = {
  KBUILD_BUILD_TIMESTAMP: "Sat Jan  1 00:00:00 UTC 2000",
  KBUILD_BUILD_USER: "wayfinder",
  KBUILD_BUILD_HOST: "wayfinder",
  KBUILD_BUILD_VERSION: "1",
};

export class KernelBuilder {
  readonly sourceDir: string;
  readonly arch: string;
  readonly cacheDir: string;
  readonly jobs: number;
  private readonly base: BaseConfig;
  private treeCache?: KconfigTree;
  private baseCache?: { hash: string; values: Map<string, string> };
  private idCache?: string;

  private options: KernelBuilderOptions;

  constructor(options: KernelBuilderOptions) {
    this.options = options;
    this.sourceDir = resolve(options.sourceDir);
    assertKconfigTree(this.sourceDir);
    if (!existsSync(join(this.sourceDir, "Makefile")) || !existsSync(join(this.sourceDir, "scripts/kconfig"))) {
      throw new WayfinderError(`${quote(this.sourceDir)} is not a Linux source tree: it lacks Makefile or scripts/kconfig`);
    }
    this.arch = options.arch ?? "x86";
    if (!KERNEL_IMAGE[this.arch]) throw new WayfinderError(`arch ${quote(this.arch)} is not supported by the builder; valid: ${Object.keys(KERNEL_IMAGE).join(", ")}`);
    if (this.arch === "riscv" && process.arch !== "riscv64" && !options.makeVariables?.CROSS_COMPILE) {
      // a cross build: Debian's gcc-riscv64-linux-gnu provides riscv64-linux-gnu-gcc
      this.options = { ...options, makeVariables: { ...options.makeVariables, CROSS_COMPILE: "riscv64-linux-gnu-" } };
    }
    const cross = this.options.makeVariables?.CROSS_COMPILE;
    if (cross && spawnSync(`${cross}gcc`, ["--version"]).status !== 0) {
      throw new WayfinderError(`cross compiler ${cross}gcc not found: install ${cross === "riscv64-linux-gnu-" ? "gcc-riscv64-linux-gnu" : `a ${cross}gcc toolchain`}`);
    }
    this.cacheDir = resolve(options.cacheDir ?? join(DEFAULT_CACHE_DIR, "wayfinder/kernel-builds"));
    this.jobs = options.jobs ?? availableParallelism();
    this.base = options.base ?? { kind: "tinyconfig" };
    if (this.base.kind === "file" && !existsSync(this.base.path)) throw new WayfinderError(`base .config ${quote(this.base.path)} does not exist`);
  }

  /** The Kconfig tree of the source for this arch (read once). */
  tree(): KconfigTree {
    return (this.treeCache ??= readKconfigTree(this.sourceDir, { arch: this.arch }));
  }

  /** Identity of source + toolchain + arch: selects the warm build tree and enters every hash. */
  identity(): string {
    if (this.idCache) return this.idCache;
    const makefile = readFileSync(join(this.sourceDir, "Makefile"), "utf8").split("\n").slice(0, 6).join("\n");
    const stamp = existsSync(join(this.sourceDir, ".wayfinder-extracted")) ? readFileSync(join(this.sourceDir, ".wayfinder-extracted"), "utf8") : this.sourceDir;
    const cc = this.options.makeVariables?.CC ?? `${this.options.makeVariables?.CROSS_COMPILE ?? ""}gcc`;
    const version = spawnSync(cc.split(" ").pop()!, ["--version"], { encoding: "utf8" });
    const toolchain = version.status === 0 ? version.stdout.split("\n")[0] : `unavailable: ${cc}`;
    return (this.idCache = sha({ makefile, stamp, toolchain, arch: this.arch, make: this.options.makeVariables ?? {} }).slice(0, 16));
  }

  private workDir(): string {
    return join(this.cacheDir, "work", `${this.arch}-${this.identity()}`);
  }

  /** The base configuration (resolved once and cached on disk by its inputs). */
  async baseConfig(): Promise<{ hash: string; values: Map<string, string> }> {
    if (this.baseCache) return this.baseCache;
    const spec = this.base.kind === "file"
      ? { file: sha(readFileSync(this.base.path, "utf8")) }
      : { tinyconfig: true, guest: GUEST_BASE_OPTIONS[this.arch] ?? {}, extra: this.base.extra ?? {} };
    const hash = sha({ id: this.identity(), spec }).slice(0, 16);
    const stored = join(this.cacheDir, "bases", `${hash}.config`);
    if (existsSync(stored)) return (this.baseCache = { hash, values: parseDotConfig(readFileSync(stored, "utf8"), stored) });
    const release = this.lock();
    try {
      const work = this.workDir();
      mkdirSync(work, { recursive: true });
      let wanted: Record<string, string> = {};
      if (this.base.kind === "file") {
        copyFileSync(this.base.path, join(work, ".config"));
      } else {
        this.note("make tinyconfig (base configuration)");
        await this.make(["tinyconfig"], join(work, "base.log"), 600);
        wanted = { ...(GUEST_BASE_OPTIONS[this.arch] ?? {}), ...(this.base.extra ?? {}) };
        const values = parseDotConfig(readFileSync(join(work, ".config"), "utf8"));
        for (const [k, v] of Object.entries(wanted)) values.set(k, v);
        writeFileSync(join(work, ".config"), renderConfigFragment(values));
      }
      await this.make(["olddefconfig"], join(work, "base.log"), 600);
      const values = parseDotConfig(readFileSync(join(work, ".config"), "utf8"));
      const lost = droppedConfigValues(wanted, values);
      if (lost.length) {
        throw new WayfinderError(`the base configuration lost ${lost.map((d) => `${d.name}=${d.requested} (now ${d.actual ?? "absent"})`).join(", ")} in make olddefconfig; fix the base options`);
      }
      mkdirSync(join(this.cacheDir, "bases"), { recursive: true });
      writeAtomic(stored, renderConfigFragment(values));
      return (this.baseCache = { hash, values });
    } finally {
      release();
    }
  }

  /** The request's key and options in .config spelling (throws on unknown options / wrong types). */
  async prepare(options: Record<string, RequestedValue>): Promise<{ key: string; values: Record<string, string>; choiceConflicts: ChoiceConflict[] }> {
    const { values, choiceConflicts } = normalizeConfigRequest(this.tree(), options);
    const base = await this.baseConfig();
    const sorted = Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return { key: sha({ id: this.identity(), base: base.hash, options: sorted }).slice(0, 20), values: sorted, choiceConflicts };
  }

  /** Resolve the options with `make olddefconfig` only (no build): which values survive. */
  async resolve(options: Record<string, RequestedValue>): Promise<KernelBuildResult> {
    return this.evaluate(options, false);
  }

  /** Build (or reuse) the kernel for base + options. */
  async build(options: Record<string, RequestedValue>): Promise<KernelBuildResult> {
    return this.evaluate(options, true);
  }

  private async evaluate(options: Record<string, RequestedValue>, build: boolean): Promise<KernelBuildResult> {
    const started = performance.now();
    const { key, values, choiceConflicts } = await this.prepare(options);
    const record = join(this.cacheDir, "requests", `${key}.json`);
    if (existsSync(record)) {
      const cached = JSON.parse(readFileSync(record, "utf8")) as KernelBuildResult;
      const usable = cached.status === "config" || cached.status === "build" || !build || (cached.image && existsSync(cached.image));
      if (usable) {
        // nothing was compiled for this call: drop the counters of the build that made the image
        const { compiled: _compiled, ...rest } = cached;
        return { ...rest, status: cached.status === "built" ? "cached" : cached.status, cacheHit: "request", timings: { configS: 0, buildS: 0, totalS: secondsSince(started) } };
      }
    }
    const result: KernelBuildResult = { status: "config", requestKey: key, requested: values, timings: { configS: 0, buildS: 0, totalS: 0 } };
    if (choiceConflicts.length) {
      result.choiceConflicts = choiceConflicts;
      result.timings.totalS = secondsSince(started);
      this.save(record, result);
      return result;
    }

    const release = this.lock();
    try {
      const work = this.workDir();
      const logs = join(this.cacheDir, "logs");
      mkdirSync(logs, { recursive: true });
      const merged = new Map((await this.baseConfig()).values);
      for (const [k, v] of Object.entries(values)) merged.set(k, v);
      writeFileSync(join(work, ".config"), renderConfigFragment(merged));
      const t0 = performance.now();
      await this.make(["olddefconfig"], join(logs, `${key}.config.log`), 600);
      result.timings.configS = secondsSince(t0);
      const resolvedText = readFileSync(join(work, ".config"), "utf8");
      const resolved = parseDotConfig(resolvedText, join(work, ".config"));
      const dropped = droppedConfigValues(values, resolved);
      const configHash = sha(renderConfigFragment(new Map([...resolved].sort(([a], [b]) => (a < b ? -1 : 1))))).slice(0, 20);
      result.configHash = configHash;
      if (dropped.length) {
        result.dropped = explainDroppedValues(this.tree(), dropped);
        result.timings.totalS = secondsSince(started);
        this.save(record, result);
        return result;
      }
      const imageDir = join(this.cacheDir, "images", configHash);
      const image = join(imageDir, "bzImage");
      if (existsSync(join(imageDir, "build.json"))) {
        const prior = JSON.parse(readFileSync(join(imageDir, "build.json"), "utf8")) as KernelBuildResult;
        Object.assign(result, { status: "cached", cacheHit: "config", image, config: join(imageDir, "config"), imageBytes: prior.imageBytes, log: prior.log });
        result.timings.totalS = secondsSince(started);
        this.save(record, { ...result, status: "built" });
        return result;
      }
      if (!build) {
        result.status = "resolved";
        result.config = join(work, ".config");
        result.timings.totalS = secondsSince(started);
        return result;
      }

      const target = KERNEL_IMAGE[this.arch]!;
      const log = join(logs, `${key}.build.log`);
      const t1 = performance.now();
      const outcome = await this.make([`-j${this.jobs}`, target.target], log, this.options.buildTimeoutS ?? 3600, false);
      result.timings.buildS = secondsSince(t1);
      result.log = log;
      const text = readFileSync(log, "utf8");
      result.compiled = text.split("\n").filter((l) => /^\s+CC\s/.test(l)).length;
      if (outcome.timedOut) {
        result.status = "timeout";
        result.errorLines = [`make ${target.target} did not finish within ${this.options.buildTimeoutS ?? 3600} s`];
        result.timings.totalS = secondsSince(started);
        return result; // not cached: a timeout says more about the machine's load than the configuration
      }
      if (outcome.code !== 0) {
        result.status = "build";
        result.errorLines = firstErrorLines(text);
        if (result.errorLines.length === 0) result.errorLines = text.trim().split("\n").slice(-5);
        result.timings.totalS = secondsSince(started);
        this.save(record, result);
        return result;
      }
      mkdirSync(imageDir, { recursive: true });
      copyAtomic(join(work, target.path), image);
      copyAtomic(join(work, ".config"), join(imageDir, "config"));
      Object.assign(result, { status: "built", image, config: join(imageDir, "config"), imageBytes: statSync(image).size });
      result.timings.totalS = secondsSince(started);
      writeAtomic(join(imageDir, "build.json"), JSON.stringify(result, null, 2));
      this.save(record, result);
      return result;
    } finally {
      release();
    }
  }

  private lock(): () => void {
    mkdirSync(join(this.cacheDir, "work"), { recursive: true });
    return acquireDirLock(join(this.cacheDir, "work", `${this.arch}-${this.identity()}.lock`));
  }

  private save(file: string, result: KernelBuildResult): void {
    mkdirSync(join(this.cacheDir, "requests"), { recursive: true });
    writeAtomic(file, JSON.stringify(result, null, 2));
  }

  private note(s: string): void {
    this.options.onNote?.(s);
  }

  /**
   * Run make in the build tree, output to `log`. With `strict` a failure is a WayfinderError (a
   * configuration step failing means a broken toolchain or tree, not a bad configuration).
   */
  private make(args: string[], log: string, timeoutS: number, strict = true): Promise<{ code: number | null; timedOut: boolean }> {
    const work = this.workDir();
    mkdirSync(work, { recursive: true });
    const vars = Object.entries(this.options.makeVariables ?? {}).map(([k, v]) => `${k}=${v}`);
    const argv = ["-C", this.sourceDir, `O=${work}`, `ARCH=${this.arch}`, ...vars, ...args];
    return new Promise((resolvePromise, reject) => {
      const out = createWriteStream(log, { flags: "a" });
      out.write(`$ make ${argv.join(" ")}\n`);
      // make runs in its own process group (killed as a group on timeout). Under setpriv --pdeathsig it
      // also dies when this process dies (a killed run must not leave a make writing into the warm tree
      // while the next run's make starts there); the compilers it started finish their one file.
      const [file, spawnArgs] = hasSetpriv() ? ["setpriv", ["--pdeathsig", "KILL", "--", "make", ...argv]] : ["make", argv];
      const child = spawn(file, spawnArgs, { env: { ...process.env, ...BUILD_ENV, LC_ALL: "C" }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      child.stdout.pipe(out, { end: false });
      child.stderr.pipe(out, { end: false });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try { process.kill(-child.pid!, "SIGKILL"); } catch { /* already gone */ }
      }, timeoutS * 1000);
      child.on("error", (e) => {
        clearTimeout(timer);
        out.end();
        reject(new WayfinderError(`cannot run make: ${e.message}; install make and gcc`));
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        out.end(() => {
          if (strict && (code !== 0 || timedOut)) {
            const text = readFileSync(log, "utf8");
            const lines = firstErrorLines(text);
            reject(new WayfinderError(
              `make ${args.join(" ")} failed in ${work} (${timedOut ? "timed out" : `exit ${code}`}): ${(lines.length ? lines : text.trim().split("\n").slice(-4)).join(" | ")}; ` +
              `check the toolchain (gcc, make, flex, bison) and that ${this.sourceDir} is a complete kernel tree; log: ${log}`,
            ));
          } else resolvePromise({ code, timedOut });
        });
      });
    });
  }
}

let setprivAvailable: boolean | undefined;
function hasSetpriv(): boolean {
  setprivAvailable ??= spawnSync("setpriv", ["--help"], { stdio: "ignore" }).status === 0;
  return setprivAvailable;
}

/** The search loop's view of a build: failures by phase with the evidence. */
export function buildOutcome(r: KernelBuildResult): Outcome | undefined {
  switch (r.status) {
    case "built":
    case "cached":
    case "resolved":
      return undefined; // the image is ready: the outcome comes from booting and measuring it
    case "config": {
      const evidence = r.choiceConflicts?.length
        ? r.choiceConflicts.map((c) => `choice ${c.choice}: ${c.members.join(", ")} all set to y`).join("; ")
        : (r.dropped ?? []).map((d) => `${d.name}=${d.requested} became ${d.actual ?? "unset"}${d.reason ? ` (${d.reason})` : ""}`).join("; ");
      return { ok: false, phase: "config", evidence };
    }
    case "build":
      return { ok: false, phase: "build", evidence: (r.errorLines ?? []).join("\n") };
    case "timeout":
      return { ok: false, phase: "timeout", evidence: (r.errorLines ?? []).join("\n") };
  }
}

function sha(x: unknown): string {
  return createHash("sha256").update(typeof x === "string" ? x : JSON.stringify(x)).digest("hex");
}

function secondsSince(t: number): number {
  return Math.round((performance.now() - t) / 10) / 100;
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function copyAtomic(from: string, to: string): void {
  const tmp = `${to}.tmp-${process.pid}`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}
