/**
 * The VM evaluator: one configuration in, one measured outcome out. It builds (or reuses from the
 * cache) the guest image for the target, writes the configuration into a small cpio appended to the
 * initrd, boots QEMU, reads the guest agent's marker lines and classifies the outcome. Guest failures
 * are outcomes, never exceptions; a fault of the harness itself becomes phase "harness".
 */
import type { FailurePhase, Outcome } from "../../lib/search/searcher";
import type { TargetSpec } from "./target";

export type { FailurePhase, Outcome };

/** When a parameter takes effect in the VM: on the kernel command line, in /proc/sys (or /sys), or in the app's config. */
export type BindingPhase = "boot" | "runtime" | "application";

/** How one parameter of the configuration reaches the guest. */
export interface ParamBinding {
  name: string;
  phase: BindingPhase;
  /** Runtime only: the /proc/sys or /sys file; default derived from a dotted sysctl name (net.core.somaxconn). */
  path?: string;
  /**
   * A required parameter that the kernel rejects (or that is missing) fails the evaluation with phase
   * "config" before the benchmark runs. Default true.
   */
  required?: boolean;
}

export type ParamStatus = "applied" | "rejected" | "missing" | "readback-differs";

export interface EvaluationRequest {
  /** Values by parameter name. Parameters without a binding are an error (phase "harness"). */
  config: Record<string, number | string>;
  params: ParamBinding[];
  target: TargetSpec;
  /** Boot this many times and average the primary metric (default 1). */
  repeat?: number;
  signal?: AbortSignal;
  /** Overrides target.vm.deterministic (-icount). */
  deterministic?: boolean;
  /** Root of the build cache; default <repo>/.cache/wayfinder. */
  cacheDir?: string;
  /** Called with short progress notes ("building image", "KVM unusable: using TCG"). */
  onNote?: (note: string) => void;
}

export interface EvaluationTimings {
  /** Image build or cache lookup plus the config cpio. */
  buildS: number;
  /** QEMU start to the guest agent's boot marker. */
  bootS: number;
  /** The benchmark's own run inside the guest, as measured by the host between markers. */
  benchmarkS: number;
  totalS: number;
}

export interface EvaluationProvenance {
  kernel: string;
  qemu: string;
  accel: "kvm" | "tcg";
  icount: boolean;
  host: string;
  /** Content key of the cached image used. */
  image?: string;
}

export interface EvaluationResult {
  outcome: Outcome;
  metrics: Record<string, number>;
  paramStatus: Record<string, ParamStatus>;
  timings: EvaluationTimings;
  /** Bounded excerpt of the guest console (kernel log) and agent output, for the record and for evidence. */
  logExcerpt: string;
  provenance: EvaluationProvenance;
  /** With repeat > 1: the primary metric of each repetition. */
  repeats?: number[];
  /** Notes for the user, e.g. that KVM was unusable and TCG was used. */
  notes: string[];
}

/** Not implemented yet: this first version only fixes the interface for the run loop. */
export async function evaluate(req: EvaluationRequest): Promise<EvaluationResult> {
  void req;
  return {
    outcome: { ok: false, phase: "harness", evidence: "the VM evaluator is not implemented yet" },
    metrics: {},
    paramStatus: {},
    timings: { buildS: 0, bootS: 0, benchmarkS: 0, totalS: 0 },
    logExcerpt: "",
    provenance: { kernel: "", qemu: "", accel: "tcg", icount: false, host: "" },
    notes: [],
  };
}
