/**
 * DeepTune's hyperparameters, their defaults and the reasons for them. Settings arrive from job files
 * (typed) or the command line (strings); bad values are errors naming the setting and the valid range.
 */
import { fail, quote } from "../errors";
import { numberSetting, stringSetting } from "../search/settings";
import type { SearcherOptions } from "../search/searcher";
import type { NetworkConfig } from "./deeptune-network";
import { TRANSFER_SCOPES, type TransferScope } from "./deeptune-model";

export interface DeepTuneSettings {
  /** Weight of distance vs. RBF uncertainty in the paper's exploration score sf = a*ds + (1-a)*sigma. */
  alpha: number;
  /** Width of the Gaussian RBF units, in z-scored latent units. */
  gamma: number;
  /**
   * Weight of exploration against predicted performance in the acquisition (our addition; the paper's
   * formula has no performance term): acq = (1 - p_crash) * ((1 - beta) * rank(goodness) + beta * rank(sf)).
   */
  beta: number;
  /** Candidates predicted to crash with probability above this are dropped (unless nothing is left). */
  crashCap: number;
  /** Keep only this share of candidates with the lowest predicted crash probability (1 = no relative filter). */
  crashKeep: number;
  /** The crash filter never keeps fewer than this share of the candidates (the safest ones). */
  minKeep: number;
  /**
   * Total L1 penalty of the sparse crash model beside the network (sparse-crash-model.ts; liblinear's
   * 1 / C); 0 turns it off and leaves crash prediction to the network alone.
   */
  crashL1: number;
  /** Factor on the sparse crash model's penalty for the encoder's 32-bit wrap columns (1 = no prior). */
  wrapPenalty: number;
  /** Widths of the dense layers. */
  hidden: number[];
  dropout: number;
  rbfUnits: number;
  latentDim: number;
  learningRate: number;
  /** Group-lasso penalty on the first layer's kernel rows (one group per encoded column). */
  weightDecay: number;
  /** Group-lasso penalty on the rows of the wide (linear) path from inputs to outputs. */
  wideDecay: number;
  /** Adam steps when the model is first trained, and per update afterwards (warm start). */
  initialSteps: number;
  steps: number;
  batchSize: number;
  /** Candidates scored per ask: live, random samples of the space; replay, a sample of the unevaluated rows. */
  poolSize: number;
  /** Random picks before the model is used (0 when a transferred model is loaded). */
  initial: number;
  /** Load a saved model to start from (transfer learning). */
  transferFrom?: string;
  /** What the loaded model brings: "crash" knowledge only, or "all" of the network (see TransferScope). */
  transferScope: TransferScope;
  /** Save the model here when the searcher is disposed. */
  saveModel?: string;
}

export const DEEPTUNE_DEFAULTS: DeepTuneSettings = {
  alpha: 0.5, // the paper's default
  gamma: 0.5, // see deeptune.md notes in README: 0.1 makes sigma ~1 for everything not on a centroid
  beta: 0.3,
  // Crash filter, measured on the redis pool (BENCHMARKS.md deeptune-replay-*): with a cap of 0.5 and
  // no relative filter DeepTune crashed as often as random search (0.27 vs 0.28).
  crashCap: 0.2,
  crashKeep: 0.15,
  minKeep: 0.1,
  // C = 0.25 in scikit-learn's terms: on random rows of the redis, hpc and sqlite pools C = 0.2-0.3 gave
  // the safest picks after 50-100 rows; C = 1 and 3 chose more spurious columns (sparse-crash-model.ts).
  crashL1: 4,
  // A prior that int overflow causes crashes (sparse-crash-model.ts, wrapPenaltyFactors). Measured, 10 seeds x
  // 100 iterations: crash rate 0.18 -> 0.06 (hpc), 0.18 -> 0.05 (redis), 0.23 -> 0.08 (sqlite).
  wrapPenalty: 0.25,
  hidden: [64, 64],
  dropout: 0.1,
  rbfUnits: 32,
  latentDim: 8,
  learningRate: 0.003,
  weightDecay: 0.05,
  wideDecay: 0.003, // 0.01 and more switch the wide path off entirely on 100-200 rows
  initialSteps: 60,
  steps: 16, // 8 halves the update cost but learns the crash boundary later (crash rate 0.19 vs 0.18)
  batchSize: 64,
  poolSize: 2000,
  initial: 10,
  transferScope: "all",
};

/** Descriptions for the searcher registry (every accepted setting must be listed). */
export const DEEPTUNE_SETTING_HELP: Record<string, string> = {
  alpha: `distance vs. RBF-uncertainty weight in sf = a*ds + (1-a)*sigma, in [0, 1] (default ${DEEPTUNE_DEFAULTS.alpha})`,
  gamma: `RBF width in z-scored latent units, > 0 (default ${DEEPTUNE_DEFAULTS.gamma})`,
  beta: `exploration vs. predicted performance in the acquisition, in [0, 1] (default ${DEEPTUNE_DEFAULTS.beta})`,
  crashCap: `drop candidates whose crash probability exceeds this, in (0, 1] (default ${DEEPTUNE_DEFAULTS.crashCap})`,
  crashKeep: `keep only this share of candidates with the lowest crash probability, in (0, 1] (default ${DEEPTUNE_DEFAULTS.crashKeep})`,
  minKeep: `the crash filter keeps at least this share of candidates, the safest ones, in (0, 1] (default ${DEEPTUNE_DEFAULTS.minKeep})`,
  crashL1: `L1 penalty of the sparse crash model beside the network, >= 0; 0 = network alone (default ${DEEPTUNE_DEFAULTS.crashL1})`,
  wrapPenalty: `factor on the sparse crash model's L1 penalty for 32-bit wrap columns (NAME#neg32), in (0, 1]; 1 = no prior (default ${DEEPTUNE_DEFAULTS.wrapPenalty})`,
  hidden: `dense layer widths, comma-separated (default ${DEEPTUNE_DEFAULTS.hidden.join(",")})`,
  dropout: `dropout rate in [0, 1) (default ${DEEPTUNE_DEFAULTS.dropout})`,
  rbfUnits: `centroids per RBF layer (default ${DEEPTUNE_DEFAULTS.rbfUnits})`,
  latentDim: `dimension of each RBF layer's projected input (default ${DEEPTUNE_DEFAULTS.latentDim})`,
  learningRate: `Adam learning rate (default ${DEEPTUNE_DEFAULTS.learningRate})`,
  weightDecay: `group-lasso penalty on the first layer's rows (default ${DEEPTUNE_DEFAULTS.weightDecay})`,
  wideDecay: `group-lasso penalty on the wide (linear) path's rows (default ${DEEPTUNE_DEFAULTS.wideDecay})`,
  initialSteps: `Adam steps of the first training (default ${DEEPTUNE_DEFAULTS.initialSteps})`,
  steps: `Adam steps per update, warm-started (default ${DEEPTUNE_DEFAULTS.steps})`,
  batchSize: `minibatch rows per step (default ${DEEPTUNE_DEFAULTS.batchSize})`,
  poolSize: `candidates scored per ask (default ${DEEPTUNE_DEFAULTS.poolSize})`,
  initial: `random picks before the model is used (default ${DEEPTUNE_DEFAULTS.initial}; 0 with transferFrom)`,
  transferFrom: "directory of a saved DeepTune model to start from (transfer learning)",
  transferScope: `what the transferred model brings: ${TRANSFER_SCOPES.join(" or ")} (default ${DEEPTUNE_DEFAULTS.transferScope}; crash = its crash knowledge only, the performance model starts fresh)`,
  saveModel: "directory to save the trained model to when the search ends",
};

/** The network's part of the settings (everything but the input width). */
export function networkSettings(s: DeepTuneSettings, seed: number): Omit<NetworkConfig, "inputDim"> {
  return {
    hidden: s.hidden, dropout: s.dropout, rbfUnits: s.rbfUnits, latentDim: s.latentDim, gamma: s.gamma,
    learningRate: s.learningRate, weightDecay: s.weightDecay, wideDecay: s.wideDecay, seed,
  };
}

export function parseHidden(raw: unknown, where = "hidden"): number[] {
  const parts = Array.isArray(raw) ? raw : String(raw).split(",");
  const widths = parts.map((p) => Number(String(p).trim()));
  if (widths.length === 0 || widths.some((w) => !Number.isInteger(w) || w < 1 || w > 4096))
    fail(`searcher deeptune: setting ${where} = ${quote(Array.isArray(raw) ? raw.join(",") : raw)} is invalid; expected comma-separated integer layer widths in 1..4096, e.g. 64,64`);
  return widths;
}

/** Check ranges of a complete settings object (used by the searcher and the CLI commands alike). */
export function validateSettings(s: DeepTuneSettings): DeepTuneSettings {
  const bad = (name: string, value: unknown, valid: string): never =>
    fail(`searcher deeptune: setting ${name} = ${quote(value)} is invalid; expected ${valid}`);
  if (!(s.alpha >= 0 && s.alpha <= 1)) bad("alpha", s.alpha, "a number in [0, 1]");
  if (!(s.gamma > 0) || !Number.isFinite(s.gamma)) bad("gamma", s.gamma, "a number > 0");
  if (!(s.beta >= 0 && s.beta <= 1)) bad("beta", s.beta, "a number in [0, 1]");
  if (!(s.crashCap > 0 && s.crashCap <= 1)) bad("crashCap", s.crashCap, "a number in (0, 1]");
  if (!(s.crashKeep > 0 && s.crashKeep <= 1)) bad("crashKeep", s.crashKeep, "a number in (0, 1]");
  if (!(s.minKeep > 0 && s.minKeep <= 1)) bad("minKeep", s.minKeep, "a number in (0, 1]");
  if (!(s.dropout >= 0 && s.dropout < 1)) bad("dropout", s.dropout, "a number in [0, 1)");
  if (!(s.learningRate > 0)) bad("learningRate", s.learningRate, "a number > 0");
  if (!(s.weightDecay >= 0)) bad("weightDecay", s.weightDecay, "a number >= 0");
  if (!(s.wideDecay >= 0)) bad("wideDecay", s.wideDecay, "a number >= 0");
  if (!(s.crashL1 >= 0) || !Number.isFinite(s.crashL1)) bad("crashL1", s.crashL1, "a number >= 0 (0 turns the sparse crash model off)");
  if (!(s.wrapPenalty > 0 && s.wrapPenalty <= 1)) bad("wrapPenalty", s.wrapPenalty, "a number in (0, 1] (1 = no prior on the wrap columns)");
  for (const k of ["rbfUnits", "latentDim", "batchSize", "poolSize"] as const)
    if (!Number.isInteger(s[k]) || s[k] < 1) bad(k, s[k], "an integer >= 1");
  for (const k of ["initialSteps", "steps", "initial"] as const)
    if (!Number.isInteger(s[k]) || s[k] < 0) bad(k, s[k], "an integer >= 0");
  return s;
}

export function readSettings(options: SearcherOptions): DeepTuneSettings {
  const d = DEEPTUNE_DEFAULTS;
  const n = (name: keyof DeepTuneSettings, limits: { min?: number; max?: number; integer?: boolean } = {}) =>
    numberSetting("deeptune", options, name, d[name] as number, limits);
  const transferFrom = stringSetting("deeptune", options, "transferFrom");
  const s: DeepTuneSettings = {
    alpha: n("alpha", { min: 0, max: 1 }),
    gamma: n("gamma"),
    beta: n("beta", { min: 0, max: 1 }),
    crashCap: n("crashCap"),
    crashKeep: n("crashKeep"),
    minKeep: n("minKeep"),
    crashL1: n("crashL1"),
    wrapPenalty: n("wrapPenalty"),
    hidden: options.settings?.hidden === undefined ? d.hidden : parseHidden(options.settings.hidden),
    dropout: n("dropout"),
    rbfUnits: n("rbfUnits", { integer: true, min: 1 }),
    latentDim: n("latentDim", { integer: true, min: 1 }),
    learningRate: n("learningRate"),
    weightDecay: n("weightDecay"),
    wideDecay: n("wideDecay"),
    initialSteps: n("initialSteps", { integer: true, min: 0 }),
    steps: n("steps", { integer: true, min: 0 }),
    batchSize: n("batchSize", { integer: true, min: 1 }),
    poolSize: n("poolSize", { integer: true, min: 1 }),
    initial: numberSetting("deeptune", options, "initial", transferFrom ? 0 : d.initial, { integer: true, min: 0 }),
    transferFrom,
    transferScope: (stringSetting("deeptune", options, "transferScope", TRANSFER_SCOPES) ?? d.transferScope) as TransferScope,
    saveModel: stringSetting("deeptune", options, "saveModel"),
  };
  return validateSettings(s);
}
