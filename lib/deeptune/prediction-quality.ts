/**
 * DeepTune's prediction quality on held-out rows of a recorded pool, as in the paper's Table 3. The
 * paper does not define its columns; our reading, stated so the numbers can be checked:
 * - failure accuracy: share of held-out rows whose crash/no-crash outcome the model gets right
 *   (crash predicted when p_crash > 0.5);
 * - run accuracy: share of held-out rows that did not crash for which the model both predicts "runs"
 *   (p_crash <= 0.5) and predicts the performance within 5 % of the measured value;
 * - normalised MAE: mean absolute error of the predicted performance on held-out rows that did not
 *   crash, divided by the range (max - min) of those rows' measured values, i.e. the MAE of min-max
 *   normalised performance.
 * - crash AUC (ours, not in the paper): the probability that a crashed held-out row gets a higher
 *   predicted crash probability than a non-crashed one. The search uses the crash model to rank
 *   candidates, so this is the number that matters for it; failure accuracy is capped by how much of
 *   a pool's crashing is predictable at all (on the artifact's Linux pools about half of the rows crash
 *   at random whatever the model, which caps it near the majority class: see BENCHMARKS.md).
 * Baselines are reported next to them: the majority class for failures, and the MAE of always
 * predicting the training rows' median.
 */
import { fail } from "../errors";
import { Rng } from "../random";
import type { Config } from "../search/searcher";
import { Encoder } from "../space/encoder";
import type { Space } from "../space/space";
import type { Direction } from "../datasets/types";
import { DeepTuneModel } from "./deeptune-model";
import { DEEPTUNE_DEFAULTS, networkSettings, validateSettings, type DeepTuneSettings } from "./deeptune-settings";

export interface PredictionQuality {
  trainRows: number;
  heldOutRows: number;
  failureAccuracy: number;
  crashAuc: number;
  runAccuracy: number;
  normalisedMae: number;
  /** Majority-class accuracy on the held-out rows (what a model that learned nothing gets). */
  failureBaseline: number;
  /** Normalised MAE of predicting the training median for every row. */
  maeBaseline: number;
  trainSeconds: number;
}

export interface PredictionQualityOptions {
  /** Share of rows held out (default 0.2). */
  holdout?: number;
  seed?: number;
  /** Adam steps of the training (default 600). */
  steps?: number;
  settings?: Partial<DeepTuneSettings>;
}

/** Table 3 metrics from predictions (pure). `crashed[i]` and `values[i]` are the measured outcomes. */
export function predictionMetrics(
  crashProbability: ArrayLike<number>, predicted: ArrayLike<number>, crashed: ArrayLike<boolean>, values: ArrayLike<number>, tolerance = 0.05,
): { failureAccuracy: number; crashAuc: number; runAccuracy: number; normalisedMae: number } {
  const n = crashed.length;
  let right = 0, ok = 0, runRight = 0, absErr = 0, lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const saysCrash = crashProbability[i] > 0.5;
    if (saysCrash === Boolean(crashed[i])) right++;
    if (crashed[i]) continue;
    ok++;
    const v = values[i];
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    absErr += Math.abs(predicted[i] - v);
    if (!saysCrash && Math.abs(predicted[i] - v) <= tolerance * Math.abs(v)) runRight++;
  }
  return {
    failureAccuracy: n ? right / n : NaN,
    crashAuc: rocAuc(crashProbability, crashed),
    runAccuracy: ok ? runRight / ok : NaN,
    normalisedMae: ok ? absErr / ok / (hi > lo ? hi - lo : 1) : NaN,
  };
}

/** Area under the ROC curve of scores for binary labels (ties count one half); NaN with one class only. */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0, pos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (positive[idx[k]]) { rankSum += rank; pos++; }
    i = j + 1;
  }
  const neg = idx.length - pos;
  return pos && neg ? (rankSum - (pos * (pos + 1)) / 2) / (pos * neg) : NaN;
}

export function evaluatePredictionQuality(
  pool: { space: Space; configs: readonly Config[]; values: readonly (number | null)[]; direction: Direction; name?: string },
  options: PredictionQualityOptions = {},
): PredictionQuality {
  const holdout = options.holdout ?? 0.2;
  if (!(holdout > 0 && holdout < 1)) fail(`--holdout ${holdout} is invalid; expected a share in (0, 1), e.g. 0.2`);
  const s = validateSettings({ ...DEEPTUNE_DEFAULTS, ...options.settings });
  const steps = options.steps ?? 600;
  const rng = new Rng(options.seed ?? 1);
  const order = rng.shuffle(pool.configs.map((_, i) => i));
  const nTest = Math.max(1, Math.round(order.length * holdout));
  const test = order.slice(0, nTest);
  const train = order.slice(nTest);
  if (train.length === 0) fail(`${pool.name ?? "dataset"}: too few rows (${order.length}) to hold out ${holdout} and still train`);
  if (train.every((i) => pool.values[i] === null))
    fail(`${pool.name ?? "dataset"}: the training rows contain no non-crashed row, so performance cannot be learned (every one of ${train.length} rows crashed)`);
  const encoder = new Encoder(pool.space, { data: pool.configs });
  const d = encoder.width;
  const encode = (rows: number[]) => {
    const x = new Float32Array(rows.length * d);
    rows.forEach((r, j) => x.set(encoder.encode(pool.configs[r]), j * d));
    return x;
  };
  const model = DeepTuneModel.create(
    networkSettings(s, options.seed ?? 1),
    encoder.columns, encoder.columnParameters, pool.direction, s.crashL1, s.wrapPenalty);
  try {
    const t0 = performance.now();
    model.train({ x: encode(train), rows: train.length, crashed: train.map((i) => pool.values[i] === null), values: train.map((i) => pool.values[i] ?? NaN) }, steps, s.batchSize);
    const trainSeconds = (performance.now() - t0) / 1000;
    const p = model.predict(encode(test), test.length);
    const crashed = test.map((i) => pool.values[i] === null);
    const values = test.map((i) => pool.values[i] ?? NaN);
    const m = predictionMetrics(p.crashProbability, p.value, crashed, values);
    const trainCrash = train.filter((i) => pool.values[i] === null).length / train.length;
    const majorityCrash = trainCrash > 0.5;
    const failureBaseline = crashed.filter((c) => c === majorityCrash).length / crashed.length;
    const okTrain = train.map((i) => pool.values[i]).filter((v): v is number => v !== null).sort((a, b) => a - b);
    const median = okTrain[okTrain.length >> 1];
    const base = predictionMetrics(test.map(() => 0), test.map(() => median), crashed, values);
    return { trainRows: train.length, heldOutRows: test.length, ...m, failureBaseline, maeBaseline: base.normalisedMae, trainSeconds };
  } finally {
    model.dispose();
  }
}
