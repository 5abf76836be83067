/**
 * The run loop's Evaluator on top of the VM harness (harness/vm/evaluator.ts): one call boots one VM
 * for one repeat. Notes from the VM layer (KVM unusable, image being built) go to `onNote`; the loop
 * counts image builds from them, which is how the tests check that runtime-only changes never rebuild.
 *
 * When the target has a `build` section (runnable-job.ts), the compile-time values of the
 * configuration are first built into a kernel by harness/build's KernelBuilder: cached by the hash of
 * those values, so every boot/runtime variation of one compile-time configuration reuses one image,
 * and built in one warm tree so close configurations rebuild incrementally. A value `make olddefconfig`
 * dropped is a "config" outcome, a failed build a "build" outcome with its first error lines; in
 * both cases nothing boots. The built image then boots as the target's kernel.
 */
import { join } from "node:path";
import { WayfinderError } from "../../lib/errors";
import type { Config } from "../../lib/search/searcher";
import type { KernelBuildResult } from "../build/kernel-builder";
import { evaluate as vmEvaluate, type EvaluationRequest as VmRequest, type ParamBinding } from "../vm/evaluator";
import { defaultCacheDir } from "../vm/cache-dir";
import type { TargetSpec } from "../vm/target";
import type { ParamStatus } from "../store/study-store";
import type { EvaluationReport, Evaluator } from "./evaluator";
import type { KernelBuildSpec, RunnableTarget } from "./runnable-job";

/** What the evaluator needs of a kernel builder (harness/build's KernelBuilder; a fake in unit tests). */
export interface CompileTimeBuilder {
  build(options: Record<string, string | number>): Promise<KernelBuildResult>;
}

export interface VmEvaluatorOptions {
  /** The target; a RunnableTarget with `build` makes compile-time values build a kernel first. */
  target: TargetSpec | RunnableTarget;
  params: ParamBinding[];
  cacheDir?: string;
  deterministic?: boolean;
  onNote?: (note: string) => void;
  /** Replaces the VM layer's evaluate (only for tests that count calls around the real one). */
  evaluateImpl?: (req: VmRequest) => ReturnType<typeof vmEvaluate>;
  /** Replaces the kernel builder made from target.build (only for tests of this wiring). */
  builderImpl?: CompileTimeBuilder;
}

/** The KernelBuilder for a build section (loaded on first use: harness/build reads the Kconfig tree). */
async function makeBuilder(spec: KernelBuildSpec, cacheDir: string, onNote: (n: string) => void): Promise<CompileTimeBuilder> {
  const { KernelBuilder, ensureKernelSource } = await import("../build/index");
  const sourceDir = spec.source === "debian" ? ensureKernelSource({ onNote }) : spec.source;
  return new KernelBuilder({
    sourceDir,
    arch: spec.arch,
    base: spec.base === "tinyconfig" ? { kind: "tinyconfig", extra: spec.extra } : { kind: "file", path: spec.base },
    cacheDir: spec.cache ?? join(cacheDir, "kernel-builds"),
    ...(spec.jobs !== undefined ? { jobs: spec.jobs } : {}),
    ...(spec.timeoutS !== undefined ? { buildTimeoutS: spec.timeoutS } : {}),
    onNote,
  });
}

/** A failed build as the run loop records it: nothing booted. */
function buildFailureReport(r: KernelBuildResult, outcome: Exclude<EvaluationReport["outcome"], { ok: true }>, compile: Config): EvaluationReport {
  const dropped = new Map((r.dropped ?? []).map((d) => [d.name, d]));
  const paramStatus: Record<string, ParamStatus> = {};
  for (const [name, value] of Object.entries(compile)) {
    const symbol = name.replace(/^CONFIG_/, "");
    const d = dropped.get(symbol);
    paramStatus[name] = d
      ? { status: "rejected", requested: String(value), ...(d.actual !== undefined ? { actual: d.actual } : {}), ...(d.reason ? { detail: d.reason } : {}) }
      : { status: r.status === "config" ? "resolved" : "not-built", requested: String(value) };
  }
  const log = [`kernel build ${r.status}${r.requestKey ? ` (request ${r.requestKey})` : ""}`, outcome.evidence ?? "", r.log ? `build log: ${r.log}` : ""].filter(Boolean).join("\n");
  return {
    outcome,
    metrics: {},
    paramStatus,
    timings: { kernelConfigS: r.timings.configS, kernelBuildS: r.timings.buildS, total: r.timings.totalS },
    logExcerpt: log,
    provenance: { kernelBuild: r.status, kernelRequest: r.requestKey, ...(r.configHash ? { kernelConfig: r.configHash } : {}) },
  };
}

export function vmEvaluator(opts: VmEvaluatorOptions): Evaluator {
  const impl = opts.evaluateImpl ?? vmEvaluate;
  const spec = (opts.target as RunnableTarget).build;
  const compileNames = new Set(Object.keys(spec?.options ?? {}));
  let builder: Promise<CompileTimeBuilder> | undefined;
  return async ({ config, signal }) => {
    // The VM layer may both call onNote and list the same notes in its result: each is passed on once.
    const seen = new Set<string>();
    const note = (n: string) => {
      if (seen.has(n)) return;
      seen.add(n);
      opts.onNote?.(n);
    };
    const guest: Config = {};
    const compile: Config = {};
    for (const [k, v] of Object.entries(config)) (compileNames.has(k) ? compile : guest)[k] = v;

    let target: TargetSpec = opts.target;
    let built: KernelBuildResult | undefined;
    if (spec) {
      builder ??= opts.builderImpl ? Promise.resolve(opts.builderImpl) : makeBuilder(spec, opts.cacheDir ?? defaultCacheDir(), note);
      const options = Object.fromEntries(Object.entries(compile).map(([k, v]) => [spec.options[k]!, v]));
      try {
        built = await (await builder).build(options);
      } catch (e) {
        if (!(e instanceof WayfinderError)) throw e;
        // Bad compile-time input (an option Kconfig does not know, a value of the wrong type): the
        // configuration cannot be built; say exactly why, without booting.
        return {
          outcome: { ok: false, phase: "config", evidence: e.message }, metrics: {}, paramStatus: {}, timings: {},
          logExcerpt: `kernel configuration refused: ${e.message}`, provenance: { kernelBuild: "refused" },
        };
      }
      const { buildOutcome } = await import("../build/kernel-builder");
      const failed = buildOutcome(built);
      if (failed && !failed.ok) return buildFailureReport(built, failed, compile);
      if (!built.image) throw new Error(`kernel build ${built.status} without an image (request ${built.requestKey})`);
      note(built.status === "built" ? `kernel built (${built.compiled ?? "?"} objects compiled, ${built.timings.buildS} s)` : `kernel image reused (${built.cacheHit ?? "cache"})`);
      const { build: _b, ...vmTarget } = opts.target as RunnableTarget;
      void _b;
      target = { ...vmTarget, kernel: { ...vmTarget.kernel, path: built.image, modules: vmTarget.kernel.modules ?? [] } };
    }

    const r = await impl({
      config: guest,
      params: opts.params,
      target,
      signal,
      ...(opts.deterministic !== undefined ? { deterministic: opts.deterministic } : {}),
      ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
      onNote: note,
    });
    for (const n of r.notes ?? []) note(n);
    const paramStatus: Record<string, ParamStatus> = {};
    for (const [name, status] of Object.entries(r.paramStatus)) {
      paramStatus[name] = { status, ...(name in config ? { requested: String(config[name]) } : {}) };
    }
    // Every compile-time value survived olddefconfig (else the build would have failed above).
    for (const [name, value] of Object.entries(compile)) paramStatus[name] = { status: "applied", requested: String(value) };
    const timings: Record<string, number> = { ...r.timings };
    const provenance: Record<string, unknown> = { ...r.provenance };
    if (built) {
      timings.kernelConfigS = built.timings.configS;
      timings.kernelBuildS = built.timings.buildS;
      timings.totalS = (timings.totalS ?? 0) + built.timings.totalS;
      Object.assign(provenance, {
        kernelBuild: built.status, kernelRequest: built.requestKey, kernelConfig: built.configHash,
        ...(built.cacheHit ? { kernelCacheHit: built.cacheHit } : {}), ...(built.compiled !== undefined ? { kernelCompiled: built.compiled } : {}),
      });
    }
    return {
      outcome: r.outcome,
      metrics: r.metrics,
      paramStatus,
      timings,
      logExcerpt: r.logExcerpt,
      provenance,
    };
  };
}
