/**
 * The run loop's Evaluator on top of the VM harness (harness/vm/evaluator.ts): one call boots one VM
 * for one repeat. Notes from the VM layer (KVM unusable, image being built) go to `onNote`; the loop
 * counts image builds from them, which is how the tests check that runtime-only changes never rebuild.
 */
import { evaluate as vmEvaluate, type EvaluationRequest as VmRequest, type ParamBinding } from "../vm/evaluator";
import type { TargetSpec } from "../vm/target";
import type { ParamStatus } from "../store/study-store";
import type { Evaluator } from "./evaluator";

export interface VmEvaluatorOptions {
  target: TargetSpec;
  params: ParamBinding[];
  cacheDir?: string;
  deterministic?: boolean;
  onNote?: (note: string) => void;
  /** Replaces the VM layer's evaluate (only for tests that count calls around the real one). */
  evaluateImpl?: (req: VmRequest) => ReturnType<typeof vmEvaluate>;
}

export function vmEvaluator(opts: VmEvaluatorOptions): Evaluator {
  const impl = opts.evaluateImpl ?? vmEvaluate;
  return async ({ config, signal }) => {
    // The VM layer may both call onNote and list the same notes in its result: each is passed on once.
    const seen = new Set<string>();
    const note = (n: string) => {
      if (seen.has(n)) return;
      seen.add(n);
      opts.onNote?.(n);
    };
    const r = await impl({
      config,
      params: opts.params,
      target: opts.target,
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
    return {
      outcome: r.outcome,
      metrics: r.metrics,
      paramStatus,
      timings: { ...r.timings },
      logExcerpt: r.logExcerpt,
      provenance: { ...r.provenance },
    };
  };
}
