/**
 * The same configurations measured sequentially and with --parallel K, compared configuration by
 * configuration: the relative difference of the means and each side's repeat CV. Pure (reads recorded
 * evaluations); `wayfinder bench parallel-noise` runs the studies and prints this as a table.
 */
import { mean, std } from "./aggregate-repeats";
import { configKey } from "../store/config-key";
import type { EvaluationRecord } from "../store/study-store";

export interface SideStats {
  values: number[];
  mean: number;
  /** Sample standard deviation over the mean (0 for a single value). */
  cv: number;
  failed: boolean;
}

export interface ConfigComparison {
  key: string;
  isDefault: boolean;
  seq: number;
  sequential?: SideStats;
  parallel?: SideStats;
  /** parallel mean / sequential mean - 1, when both succeeded. */
  relDiff?: number;
}

function side(e: EvaluationRecord | undefined): SideStats | undefined {
  if (!e || e.state !== "done") return undefined;
  const values = (e.repeats ?? []).filter((r) => r.outcome.ok).map((r) => (r.outcome as { value: number }).value);
  const failed = !e.outcome?.ok;
  if (values.length === 0) return { values, mean: NaN, cv: NaN, failed };
  const m = mean(values);
  return { values, mean: m, cv: m !== 0 ? std(values) / Math.abs(m) : 0, failed };
}

export function compareParallelNoise(sequential: readonly EvaluationRecord[], parallel: readonly EvaluationRecord[]): ConfigComparison[] {
  const par = new Map(parallel.map((e) => [configKey(e.config), e]));
  return sequential.map((e) => {
    const key = configKey(e.config);
    const s = side(e);
    const p = side(par.get(key));
    const both = s && p && !s.failed && !p.failed && s.mean !== 0;
    return { key, isDefault: e.isDefault, seq: e.seq, sequential: s, parallel: p, ...(both ? { relDiff: p.mean / s.mean - 1 } : {}) };
  });
}

export interface NoiseSummary {
  compared: number;
  medianAbsDiff: number;
  maxAbsDiff: number;
  medianCvSequential: number;
  medianCvParallel: number;
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function summarizeNoise(rows: readonly ConfigComparison[]): NoiseSummary {
  const diffs = rows.flatMap((r) => (r.relDiff !== undefined ? [Math.abs(r.relDiff)] : []));
  const okCv = (s?: SideStats) => (s && !s.failed && s.values.length >= 2 ? [s.cv] : []);
  return {
    compared: diffs.length,
    medianAbsDiff: median(diffs),
    maxAbsDiff: diffs.length ? Math.max(...diffs) : NaN,
    medianCvSequential: median(rows.flatMap((r) => okCv(r.sequential))),
    medianCvParallel: median(rows.flatMap((r) => okCv(r.parallel))),
  };
}
