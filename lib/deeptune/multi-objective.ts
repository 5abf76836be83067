/**
 * Several objectives as one: the ask/tell contract carries one value per outcome, so a multi-metric
 * search (e.g. the paper's Fig. 11, throughput against memory) is run on a weighted combination of
 * min-max normalised metrics. Each metric is scaled to [0, 1] over the rows given (1 = that metric's
 * best), then combined by weights; the paper's Fig. 11 score s = minmax(throughput) - minmax(memory)
 * is the special case below. Because the scaling depends on the rows seen, a driver recomputes the
 * scores of the whole history when a new row arrives (cheap) and tells the searcher the new values.
 */
import { fail, quote } from "../errors";
import type { Direction } from "../datasets/types";

export interface MetricSpec {
  name: string;
  direction: Direction;
  weight: number;
}

/** (v - min) / (max - min) over the finite values; NaN stays NaN; a constant column maps to 0. */
export function minmax(values: readonly number[]): number[] {
  const ok = values.filter(Number.isFinite);
  const lo = Math.min(...ok);
  const hi = Math.max(...ok);
  return values.map((v) => (Number.isFinite(v) ? (hi > lo ? (v - lo) / (hi - lo) : 0) : NaN));
}

/**
 * Weighted score per row (higher is better): sum_m w_m * g_m / sum_m |w_m|, where g_m is metric m
 * min-max scaled with 1 = best for its direction. Rows with a missing metric (crash) get NaN.
 */
export function weightedScore(rows: readonly Record<string, number>[], metrics: readonly MetricSpec[]): number[] {
  if (metrics.length === 0) fail("multi-metric score: at least one metric is needed");
  const total = metrics.reduce((s, m) => s + Math.abs(m.weight), 0);
  for (const m of metrics) {
    if (!Number.isFinite(m.weight)) fail(`multi-metric score: weight of ${m.name} is ${quote(m.weight)}; expected a finite number`);
    if (m.direction !== "max" && m.direction !== "min") fail(`multi-metric score: direction of ${m.name} is ${quote(m.direction)}; expected max or min`);
  }
  if (!(total > 0)) fail("multi-metric score: the weights are all zero");
  const scaled = metrics.map((m) => {
    const s = minmax(rows.map((r) => (typeof r[m.name] === "number" ? r[m.name] : NaN)));
    return m.direction === "max" ? s : s.map((v) => 1 - v);
  });
  return rows.map((_, i) => metrics.reduce((s, m, j) => s + m.weight * scaled[j][i], 0) / total);
}

/** The paper's Fig. 11 score: s = minmax(throughput) - minmax(memory), in [-1, 1], higher is better. */
export function throughputMemoryScore(throughput: readonly number[], memory: readonly number[]): number[] {
  if (throughput.length !== memory.length) fail(`Fig. 11 score: ${throughput.length} throughput values but ${memory.length} memory values`);
  const t = minmax(throughput);
  const m = minmax(memory);
  return t.map((v, i) => v - m[i]);
}
