/**
 * Folding r repeated measurements of one configuration into one recorded evaluation: the objective is
 * the mean, and its spread (standard deviation, coefficient of variation) is kept in the metrics so a
 * reader can tell a real effect from repeat noise. One failed repeat fails the evaluation: a configuration
 * that crashes one time in r is not one to deploy.
 */
import type { Outcome } from "../../lib/search/searcher";

export interface RepeatResult {
  outcome: Outcome;
  metrics: Record<string, number>;
  seconds: number;
}

export interface Aggregate {
  outcome: Outcome;
  metrics: Record<string, number>;
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n - 1); 0 for a single value. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

export function aggregateRepeats(repeats: readonly RepeatResult[]): Aggregate {
  if (repeats.length === 0) throw new Error("aggregateRepeats: no repeats");
  const failed = repeats.find((r) => !r.outcome.ok);
  const metrics: Record<string, number> = {};
  // Every metric reported by all the successful repeats is averaged under its own name.
  const okRepeats = repeats.filter((r) => r.outcome.ok);
  if (okRepeats.length > 0) {
    const names = Object.keys(okRepeats[0].metrics).filter((k) => okRepeats.every((r) => Number.isFinite(r.metrics[k])));
    for (const k of names) metrics[k] = mean(okRepeats.map((r) => r.metrics[k]));
  }
  metrics.repeats = repeats.length;
  if (failed) return { outcome: failed.outcome, metrics };
  const values = repeats.map((r) => (r.outcome as { ok: true; value: number }).value);
  const m = mean(values);
  const s = std(values);
  metrics.objective_mean = m;
  metrics.objective_std = s;
  metrics.objective_cv = m !== 0 ? s / Math.abs(m) : 0;
  metrics.objective_min = Math.min(...values);
  metrics.objective_max = Math.max(...values);
  return { outcome: { ok: true, value: m }, metrics };
}
