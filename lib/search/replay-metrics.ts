/**
 * The scores of a search run on a recorded pool, and their mean over seeds with a 95 % confidence
 * interval (Student t). Definitions:
 * - bestAt[c]: best value found in the first c evaluations (crashes ignored; null if none ran);
 * - regretAt[c]: |pool best - bestAt[c]| / |pool best - pool median| (0 = found the pool's best;
 *   1 = no better than a median configuration); 1 when nothing ran by then;
 * - crashRate: share of crashed evaluations in the run;
 * - itersToTarget: first evaluation whose best is within 0.5 % of the pool's best (99.5 % of it for a
 *   maximised objective); the mean is over the seeds that reached it (`targetReached` says how many),
 *   null when none did.
 */
import type { Direction } from "../datasets/types";

export const CHECKPOINTS = [25, 50, 100, 250] as const;

export interface RunScores {
  bestAt: Record<string, number | null>;
  regretAt: Record<string, number>;
  crashRate: number;
  itersToTarget: number | null;
  iterations: number;
}

export interface PoolStats {
  best: number;
  median: number;
  direction: Direction;
}

const better = (d: Direction, a: number, b: number) => (d === "max" ? a > b : a < b);

export function reachesTarget(stats: PoolStats, v: number): boolean {
  const tol = 0.005 * Math.abs(stats.best);
  return stats.direction === "max" ? v >= stats.best - tol : v <= stats.best + tol;
}

export function scoreRun(values: readonly (number | null)[], stats: PoolStats, checkpoints: readonly number[] = CHECKPOINTS): RunScores {
  const bestAt: Record<string, number | null> = {};
  const regretAt: Record<string, number> = {};
  let best: number | null = null;
  let itersToTarget: number | null = null;
  const spread = Math.abs(stats.best - stats.median) || 1;
  const want = new Set(checkpoints.filter((c) => c <= values.length));
  values.forEach((v, i) => {
    if (v !== null && (best === null || better(stats.direction, v, best))) best = v;
    if (itersToTarget === null && best !== null && reachesTarget(stats, best)) itersToTarget = i + 1;
    if (want.has(i + 1)) {
      bestAt[i + 1] = best;
      regretAt[i + 1] = best === null ? 1 : Math.abs(stats.best - best) / spread;
    }
  });
  const crashes = values.filter((v) => v === null).length;
  return { bestAt, regretAt, crashRate: values.length ? crashes / values.length : 0, itersToTarget, iterations: values.length };
}

export interface Summary {
  mean: number;
  std: number;
  /** Half-width of the 95 % confidence interval of the mean. */
  ci95: number;
  n: number;
}

// two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function summarize(xs: readonly number[]): Summary {
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN, ci95: NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  const t = n > 1 ? (T975[n - 2] ?? 1.96) : NaN;
  return { mean, std, ci95: n > 1 ? (t * std) / Math.sqrt(n) : NaN, n };
}

export interface AggregateScores {
  runs: number;
  bestAt: Record<string, Summary>;
  regretAt: Record<string, Summary>;
  crashRate: Summary;
  itersToTarget: number | null;
  targetReached: number;
}

export function aggregate(scores: readonly RunScores[], checkpoints: readonly number[] = CHECKPOINTS): AggregateScores {
  const bestAt: Record<string, Summary> = {};
  const regretAt: Record<string, Summary> = {};
  for (const c of checkpoints) {
    const b = scores.map((s) => s.bestAt[c]).filter((v): v is number => v !== null && v !== undefined);
    if (scores.every((s) => s.bestAt[c] === undefined)) continue;
    bestAt[c] = summarize(b);
    regretAt[c] = summarize(scores.map((s) => s.regretAt[c]).filter((v) => v !== undefined));
  }
  const reached = scores.map((s) => s.itersToTarget).filter((v): v is number => v !== null);
  return {
    runs: scores.length,
    bestAt,
    regretAt,
    crashRate: summarize(scores.map((s) => s.crashRate)),
    itersToTarget: reached.length ? reached.reduce((a, b) => a + b, 0) / reached.length : null,
    targetReached: reached.length,
  };
}
