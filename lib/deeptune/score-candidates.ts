/**
 * How DeepTune ranks candidates (pure; the searcher feeds it the network's predictions).
 *
 * 1. Exploration, as in the paper: sf = alpha * ds + (1 - alpha) * sigma, where
 *    ds = 1 - 1 / (1 + d2) and d2 is the squared Euclidean distance from the candidate to the nearest
 *    evaluated configuration divided by the number of encoded columns (per-column mean, so ds does not
 *    saturate at 1 for every candidate of a 300-column space), and sigma is the RBF branch's
 *    uncertainty.
 * 2. Exploitation, our addition (the paper's formula has none): the predicted goodness.
 * 3. Both enter as percentile ranks among the candidates, so neither's scale can swamp the other:
 *    acq = (1 - p_crash) * ((1 - beta) * rank(goodness) + beta * rank(sf)).
 *    The (1 - p_crash) factor is the probability the evaluation yields a measurement at all.
 * 4. Crash filter: candidates with p_crash above crashCap are dropped outright. A crash model that has
 *    learnt nothing yet predicts about the base crash rate (~0.3) for everything and would drop every
 *    candidate, so the filter never keeps fewer than the `minKeep` share of candidates: the safest
 *    ones by predicted probability (its ranking carries signal before its calibration does).
 */
export interface CandidateScores {
  crashProbability: ArrayLike<number>;
  goodness: ArrayLike<number>;
  sigma: ArrayLike<number>;
  /** Squared distance to the nearest evaluated configuration, per encoded column. */
  nearestSq: ArrayLike<number>;
}

export interface ScoreWeights {
  alpha: number;
  beta: number;
  crashCap: number;
  /** Keep only this share of the candidates, those with the lowest crash probability (default 1 = all). */
  crashKeep?: number;
  /** Never keep fewer than this share of the candidates after the crash filter (default 0: at least one). */
  minKeep?: number;
}

/** The k-th smallest value (0-based) of a list. */
function kthSmallest(values: ArrayLike<number>, k: number): number {
  return Array.from(values).sort((a, b) => a - b)[Math.min(values.length - 1, Math.max(0, k))];
}

/** Percentile ranks in [0, 1] (ties share their mean rank); a single value gets 0.5. */
export function percentileRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  if (n === 1) {
    out[0] = 0.5;
    return out;
  }
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[idx[j + 1]] === values[idx[i]]) j++;
    const r = (i + j) / 2 / (n - 1);
    for (let k = i; k <= j; k++) out[idx[k]] = r;
    i = j + 1;
  }
  return out;
}

export function explorationScore(sigma: number, nearestSq: number, alpha: number): number {
  const ds = 1 - 1 / (1 + nearestSq);
  return alpha * ds + (1 - alpha) * sigma;
}

/** Acquisition value per candidate; -Infinity marks a candidate dropped as a likely crash. */
export function scoreCandidates(c: CandidateScores, w: ScoreWeights): Float64Array {
  const n = c.goodness.length;
  const sf = new Float64Array(n);
  for (let i = 0; i < n; i++) sf[i] = explorationScore(c.sigma[i], c.nearestSq[i], w.alpha);
  const rg = percentileRanks(c.goodness);
  const rs = percentileRanks(sf);
  // Relative filter: a weak crash model rarely says p > crashCap, but its ranking still carries
  // signal, so optionally keep only the safest share of the candidates.
  let cap = w.crashCap;
  const keep = w.crashKeep ?? 1;
  if (keep < 1 && n > 1) cap = Math.min(cap, kthSmallest(c.crashProbability, Math.ceil(keep * n) - 1));
  let kept = 0;
  for (let i = 0; i < n; i++) if (c.crashProbability[i] <= cap) kept++;
  const floor = Math.max(1, Math.ceil((w.minKeep ?? 0) * n));
  if (kept < floor && n > 0) cap = kthSmallest(c.crashProbability, floor - 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = c.crashProbability[i];
    out[i] = p > cap ? -Infinity : (1 - p) * ((1 - w.beta) * rg[i] + w.beta * rs[i]);
  }
  return out;
}
