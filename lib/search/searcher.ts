/**
 * The ask/tell contract every search algorithm implements (random, grid, Bayesian optimisation,
 * DeepTune). The searcher never runs evaluations itself: a driver (the replay driver in lib/, the VM
 * runner in harness/) asks for configurations, evaluates them however it likes, and tells the outcome.
 * A failure is an outcome, not an exception.
 */
import type { Direction, Value } from "../datasets/types";

/** One configuration: a value for each active parameter, by parameter name. */
export type Config = Record<string, Value>;

/** Where an evaluation failed; "config" means a requested parameter value was rejected. */
export type FailurePhase = "config" | "build" | "boot" | "runtime" | "benchmark" | "timeout" | "harness";

export type Outcome =
  | { ok: true; value: number }
  | { ok: false; phase: FailurePhase; evidence?: string };

export interface Observation {
  config: Config;
  outcome: Outcome;
}

export interface Searcher {
  /** Short name used on the command line, e.g. "random", "bayes", "deeptune". */
  readonly name: string;
  readonly direction: Direction;
  /**
   * Up to `k` (default 1) distinct configurations never evaluated or asked before. Returns fewer only
   * when the space (or replay pool) is exhausted.
   */
  ask(k?: number): Promise<Config[]>;
  /** Record outcomes, including ones of configurations the searcher did not propose (e.g. on resume). */
  tell(observations: Observation[]): Promise<void>;
  /** Release resources (tensors, workers). Safe to call twice. */
  dispose?(): void;
}
