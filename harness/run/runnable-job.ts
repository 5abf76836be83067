/**
 * A job file made ready for the VM run loop: its space and objective from harness/jobs, its `target`
 * section as the VM harness reads it, and one binding per parameter saying how it reaches the guest.
 *
 * Compile-time parameters need a kernel build per configuration. A target with a `build` section says
 * how (see KernelBuildSpec); its compile-time parameters are then Kconfig options that the evaluator
 * (vm-evaluator.ts) builds into a kernel before booting. Without a `build` section a job that varies a
 * compile-time parameter is refused before anything boots; pinned ones are recorded but not sent.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { quote } from "../../lib/errors";
import type { Config } from "../../lib/search/searcher";
import { parseJob, type Job } from "../jobs/job";
import type { ParamBinding } from "../vm/evaluator";
import type { TargetSpec } from "../vm/target";
import { targetOfJob } from "./target-section";

/** How to build the kernel for the compile-time part of a configuration (the job's `target.build`). */
export interface KernelBuildSpec {
  /** An extracted Linux source tree, or "debian": Debian's linux-source-6.1 extracted under .cache. */
  source: string;
  /** Kernel ARCH (x86 or riscv). */
  arch: string;
  /** "tinyconfig": tinyconfig + the guest's options (+ extra); otherwise the path of a whole .config. */
  base: string;
  /** With base tinyconfig: more options of the base, e.g. { PRINTK: y }. */
  extra: Record<string, string>;
  /** make -j; default the number of CPUs. */
  jobs?: number;
  /** Limit of one build in seconds (default 3600). */
  timeoutS?: number;
  /** Build cache root; default <evaluator cache>/kernel-builds. */
  cache?: string;
  /** Parameter name -> Kconfig symbol (the name without a CONFIG_ prefix). */
  options: Record<string, string>;
}

/** The VM harness's target plus, for compile-time jobs, how to build the kernel. */
export type RunnableTarget = TargetSpec & { build?: KernelBuildSpec };

export interface RunnableJob {
  job: Job;
  target: RunnableTarget;
  params: ParamBinding[];
  objective: string;
  direction: Job["direction"];
}

const BUILD_KEYS = ["source", "arch", "base", "extra", "jobs", "timeoutS", "cache"];
const SYMBOL = /^(CONFIG_)?[A-Za-z0-9_]+$/;

/** Validate `target.build`; relative paths are relative to the job file's folder. */
function buildSpec(job: Job, raw: unknown): Omit<KernelBuildSpec, "options"> {
  const at = (...path: (string | number)[]) => ["target", "build", ...path];
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) job.source.fail(at(), `target.build must be a mapping such as { source: debian, base: tinyconfig }, not ${quote(raw)}`);
  const b = raw as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!BUILD_KEYS.includes(k)) job.source.fail(at(k), `unknown key ${quote(k)} in target.build; valid keys: ${BUILD_KEYS.join(", ")}`);
  const here = job.source.file && job.source.file !== "<job>" ? dirname(resolve(job.source.file)) : process.cwd();
  const path = (v: string) => (isAbsolute(v) ? v : resolve(here, v));
  const str = (k: string, dflt: string) => {
    const v = b[k] ?? dflt;
    if (typeof v !== "string" || v === "") job.source.fail(at(k), `target.build.${k} must be a non-empty string, got ${quote(v)}`);
    return v as string;
  };
  const int = (k: string, min: number) => {
    const v = b[k];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) job.source.fail(at(k), `target.build.${k} must be an integer >= ${min}, got ${quote(v)}`);
    return v as number;
  };
  const source = str("source", "debian");
  const arch = str("arch", "x86");
  if (!["x86", "riscv"].includes(arch)) job.source.fail(at("arch"), `target.build.arch ${quote(arch)} is not supported; valid: x86, riscv`);
  const base = str("base", "tinyconfig");
  const extraRaw = b.extra ?? {};
  if (extraRaw === null || typeof extraRaw !== "object" || Array.isArray(extraRaw)) job.source.fail(at("extra"), `target.build.extra must be a mapping of Kconfig options, e.g. { PRINTK: y }`);
  if (base !== "tinyconfig" && b.extra !== undefined) job.source.fail(at("extra"), `target.build.extra adds to the tinyconfig base; with a .config base (${quote(base)}) put the options in that file`);
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(extraRaw as Record<string, unknown>)) {
    if (!SYMBOL.test(k)) job.source.fail(at("extra", k), `${quote(k)} is not a Kconfig symbol name`, );
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") job.source.fail(at("extra", k), `value of ${k} must be a string or number, got ${quote(v)}`);
    extra[k.replace(/^CONFIG_/, "")] = typeof v === "boolean" ? (v ? "y" : "n") : String(v);
  }
  const jobs = int("jobs", 1);
  const timeoutS = int("timeoutS", 1);
  const cache = b.cache === undefined ? undefined : path(str("cache", ""));
  return {
    source: source === "debian" ? "debian" : path(source), arch, base: base === "tinyconfig" ? base : path(base), extra,
    ...(jobs !== undefined ? { jobs } : {}), ...(timeoutS !== undefined ? { timeoutS } : {}), ...(cache ? { cache } : {}),
  };
}

export function runnableJob(job: Job): RunnableJob {
  if (job.objectives.length !== 1) {
    throw job.source.error(["objectives"], `wayfinder run measures one objective; this job lists ${job.objectives.length}`);
  }
  if (!job.target) {
    throw job.source.error([], 'the job has no "target" section saying how to build, boot and benchmark the VM; `wayfinder run` needs one');
  }
  // `build` is this layer's key (and `kind: linux` the job loader's): the VM harness validates the rest.
  const { build: rawBuild, ...vmSection } = job.target;
  if (vmSection.kind === "linux") delete vmSection.kind;
  const build = rawBuild === undefined ? undefined : buildSpec(job, rawBuild);
  if (build?.arch === "riscv") {
    // The riscv guest's /init is a static program, not the shell agent: it applies boot parameters only.
    job.parameters.forEach((p, i) => {
      if (p.phase === "runtime" || p.phase === "application") {
        job.source.fail(["parameters", i, "phase"], `parameter ${p.name} is ${p.phase}-phase, but target.build.arch riscv boots a guest whose static /init cannot apply ${p.phase} values; valid phases for riscv: compile, boot`);
      }
    });
  }
  const target: RunnableTarget = targetOfJob({ ...job, target: vmSection }, build?.arch === "riscv" ? "riscv" : undefined);
  const params: ParamBinding[] = [];
  const options: Record<string, string> = {};
  job.parameters.forEach((p, i) => {
    if (p.phase === "compile") {
      if (build) {
        if (!SYMBOL.test(p.name)) job.source.fail(["parameters", i, "name"], `compile-time parameter ${quote(p.name)} is not a Kconfig symbol name (letters, digits, _; CONFIG_ prefix optional)`);
        options[p.name] = p.name.replace(/^CONFIG_/, "");
      } else if (job.space.isVaried(p.name)) {
        throw job.source.error(["parameters", i, "phase"],
          `parameter ${p.name} is compile-time and varied, but the target has no "build" section saying how to build the kernel ` +
            `(e.g. build: { source: debian, base: tinyconfig }); add one, pin the parameter (fixed:) or remove "compile" from vary`);
      }
      return;
    }
    params.push({ name: p.name, phase: p.phase });
  });
  if (build) {
    if (target.kernel.path !== undefined || target.kernel.package !== undefined) {
      job.source.fail(["target", "kernel"], "target.build builds the kernel for each configuration: drop target.kernel.path/package (modules may stay)");
    }
    target.build = { ...build, options };
  }
  return { job, target, params, objective: job.objectives[0].metric, direction: job.direction };
}

export function runnableJobFromText(text: string, file: string): RunnableJob {
  return runnableJob(parseJob(text, file));
}

/**
 * The part of a configuration the evaluator receives: the guest's values, plus the compile-time ones
 * when the target builds kernels (the evaluator builds with those and sends only the rest to the guest).
 * Without a build section, compile-time values stay in the record only.
 */
export function guestConfig(rj: RunnableJob, config: Config): Config {
  return pickValues(config, [...rj.params.map((p) => p.name), ...Object.keys(rj.target.build?.options ?? {})]);
}

/**
 * Only what the guest itself is given (no compile-time values): what a review of a configuration
 * renders with the VM harness's config layer, which knows nothing of kernel builds.
 */
export function reviewConfig(rj: RunnableJob, config: Config): Config {
  return pickValues(config, rj.params.map((p) => p.name));
}

function pickValues(config: Config, names: string[]): Config {
  const keep = new Set(names);
  const out: Config = {};
  for (const [k, v] of Object.entries(config)) if (keep.has(k)) out[k] = v;
  return out;
}

/** The plain-JSON form of a job kept in the store next to its verbatim text. */
export function jobRecord(job: Job): unknown {
  const { source: _source, space: _space, ...rest } = job;
  void _source;
  void _space;
  return JSON.parse(JSON.stringify(rest));
}
