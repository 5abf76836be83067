/**
 * The ask/tell contract every search algorithm implements (random, grid, Bayesian optimisation,
 * DeepTune). The searcher never runs evaluations itself: a driver (the replay driver in lib/, the VM
 * runner in harness/) asks for configurations, evaluates them however it likes, and tells the outcome.
 * A failure is an outcome, not an exception.
 */
import type { Direction, Value } from "../datasets/types";
import type { Space } from "../space/space";

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

/**
 * What every searcher is created with. A searcher proposes points of `space` (honouring its pinned
 * values and conditions) or, when `pool` is given (replay of a recorded dataset), only members of
 * `pool`. The same options and seed give the same sequence of proposals for the same outcomes.
 */
export interface SearcherOptions {
  space: Space;
  direction: Direction;
  seed: number;
  /** Replay: the finite list of candidate configurations (pool rows); propose nothing else. */
  pool?: readonly Config[];
  /**
   * Searcher-specific settings by name, e.g. { initial: 10 } for bayes or { transferFrom: "x.json" } for
   * deeptune. Values may arrive as strings from a command line; see settings.ts to read them.
   */
  settings?: Record<string, unknown>;
}

/**
 * A searcher as the registry knows it. To add one: write a class implementing Searcher in its own file,
 * export an entry `{ name, summary, settings, create }`, and call registerSearcher(entry) from your
 * folder's index.ts (lib/deeptune registers "deeptune" this way; the registry imports known plugin
 * folders lazily, see registry.ts). Then run the shared contract tests on it:
 * `searcherContract("mine", (options) => createSearcher("mine", options))` from test/search/contract.ts.
 */
export interface SearcherEntry {
  name: string;
  /** One line for help texts. */
  summary: string;
  /** Settings this searcher accepts, name -> one-line description; any other name is an error. */
  settings: Record<string, string>;
  create(options: SearcherOptions): Searcher | Promise<Searcher>;
}
