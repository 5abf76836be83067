/**
 * What the run loop needs from whatever measures a configuration: one call = one repeat of one
 * configuration. The VM evaluator (harness/vm) is adapted to this shape by the CLI; unit tests of the
 * loop use a fake. A failure is an outcome; a thrown error is recorded as a harness failure.
 */
import type { Config, Outcome } from "../../lib/search/searcher";
import type { ParamStatus } from "../store/study-store";

export interface EvaluationRequest {
  config: Config;
  /** Position of the evaluation in the study (0 = the default configuration). */
  seq: number;
  /** 0-based repeat index within the evaluation. */
  repeat: number;
  /** Aborted when the run is interrupted: the evaluator must stop its VM promptly and may then throw. */
  signal: AbortSignal;
}

export interface EvaluationReport {
  outcome: Outcome;
  metrics?: Record<string, number>;
  paramStatus?: Record<string, ParamStatus>;
  timings?: Record<string, number>;
  logExcerpt?: string;
  provenance?: Record<string, unknown>;
}

export type Evaluator = (request: EvaluationRequest) => Promise<EvaluationReport>;
