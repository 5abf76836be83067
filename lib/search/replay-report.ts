/**
 * Replays of several searchers over several seeds on one pool, reduced to the report the CLI prints
 * (text table) or emits (one JSON object per searcher per line; scripts depend on its keys).
 */
import type { Direction } from "../datasets/types";
import { replay, type ReplayRun } from "./replay";
import { CHECKPOINTS, aggregate, scoreRun, summarize, type AggregateScores } from "./replay-metrics";
import type { ReplayPool } from "./replay-pool";

export interface SearcherReport {
  searcher: string;
  dataset: string;
  budget: number;
  seeds: number;
  direction: Direction;
  bestAt: Record<string, number>;
  bestAtStd: Record<string, number>;
  bestAtCi95: Record<string, number>;
  regretAt: Record<string, number>;
  crashRate: number;
  crashRateStd: number;
  itersToTarget: number | null;
  targetReached: number;
  poolBest: number;
  poolMedian: number;
  poolCrashRate: number;
  /** Mean wall milliseconds of an ask, and of the last ask of a run (the one with the most observations). */
  askMsMean: number;
  askMsLast: number;
  /** Mean simulated seconds of a whole run. */
  simulatedSeconds: number;
  settings?: Record<string, unknown>;
}

export interface ReplayPlan {
  searchers: string[];
  budget: number;
  seeds: number;
  /** First seed (default 1); runs use seeds firstSeed .. firstSeed + seeds - 1. */
  firstSeed?: number;
  batch?: number;
  /** Settings per searcher name. */
  settings?: Record<string, Record<string, unknown>>;
  /** Called after each run (progress reporting). */
  onRun?: (run: ReplayRun) => void;
}

export function reportFromRuns(pool: ReplayPool, searcher: string, runs: ReplayRun[], budget: number, settings?: Record<string, unknown>): SearcherReport {
  return reportFromValues(pool, searcher, runs.map((r) => r.values), budget, runs.map((r) => r.askMs), runs.map((r) => r.seconds[r.seconds.length - 1] ?? 0), settings);
}

/** The report of any set of runs given as value sequences (null = crash), e.g. recorded search traces. */
export function reportFromValues(
  pool: Pick<ReplayPool, "name" | "direction" | "best" | "median" | "crashRate">,
  searcher: string,
  valueRuns: (number | null)[][],
  budget: number,
  askMs: number[][] = [],
  seconds: number[] = [],
  settings?: Record<string, unknown>,
): SearcherReport {
  const scores = valueRuns.map((v) => scoreRun(v.slice(0, budget), pool));
  const agg: AggregateScores = aggregate(scores);
  const pick = (rec: Record<string, { mean: number; std: number; ci95: number }>, key: "mean" | "std" | "ci95") =>
    Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, v[key]]));
  const askAll = askMs.flat();
  return {
    searcher,
    dataset: pool.name,
    budget,
    seeds: valueRuns.length,
    direction: pool.direction,
    bestAt: pick(agg.bestAt, "mean"),
    bestAtStd: pick(agg.bestAt, "std"),
    bestAtCi95: pick(agg.bestAt, "ci95"),
    regretAt: pick(agg.regretAt, "mean"),
    crashRate: agg.crashRate.mean,
    crashRateStd: agg.crashRate.std,
    itersToTarget: agg.itersToTarget,
    targetReached: agg.targetReached,
    poolBest: pool.best,
    poolMedian: pool.median,
    poolCrashRate: pool.crashRate,
    askMsMean: askAll.length ? askAll.reduce((a, b) => a + b, 0) / askAll.length : NaN,
    askMsLast: askMs.length ? summarize(askMs.map((a) => a[a.length - 1] ?? 0)).mean : NaN,
    simulatedSeconds: seconds.length ? summarize(seconds).mean : NaN,
    ...(settings && Object.keys(settings).length ? { settings } : {}),
  };
}

export async function replaySearchers(pool: ReplayPool, plan: ReplayPlan): Promise<SearcherReport[]> {
  const out: SearcherReport[] = [];
  for (const searcher of plan.searchers) {
    const runs: ReplayRun[] = [];
    const settings = plan.settings?.[searcher];
    for (let i = 0; i < plan.seeds; i++) {
      const run = await replay(pool, { searcher, budget: plan.budget, seed: (plan.firstSeed ?? 1) + i, batch: plan.batch, settings });
      plan.onRun?.(run);
      runs.push(run);
    }
    out.push(reportFromRuns(pool, searcher, runs, plan.budget, settings));
  }
  return out;
}

function fmt(v: number | null | undefined, digits: number): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "-";
  const a = Math.abs(v);
  if (a < 1e-9) return (0).toFixed(digits); // rounding noise of a zero spread
  if (a < 1e-3) return v.toExponential(3);
  if (a >= 1e6) return v.toLocaleString("en-US", { maximumFractionDigits: 0 });
  return v.toFixed(digits);
}

/** A plain-text table, one row per searcher: mean ± 95 % CI half-width at each checkpoint. */
export function formatReplayTable(reports: SearcherReport[], digits = 1): string {
  if (reports.length === 0) return "";
  const r0 = reports[0];
  const cps = CHECKPOINTS.filter((c) => c <= r0.budget).map(String);
  const head = ["searcher", ...cps.map((c) => `best@${c}`), `regret@${cps[cps.length - 1] ?? "-"}`, "crash rate", "iters to 99.5%", "ask ms (mean/last)"];
  const rows = reports.map((r) => [
    r.searcher,
    ...cps.map((c) => (r.bestAt[c] === undefined ? "-" : `${fmt(r.bestAt[c], digits)} ± ${fmt(r.bestAtCi95[c], digits)}`)),
    fmt(r.regretAt[cps[cps.length - 1]], 3),
    `${fmt(r.crashRate, 3)} ± ${fmt(r.crashRateStd, 3)}`,
    r.itersToTarget === null ? `not reached (0/${r.seeds})` : `${fmt(r.itersToTarget, 1)} (${r.targetReached}/${r.seeds})`,
    `${fmt(r.askMsMean, 1)} / ${fmt(r.askMsLast, 1)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [
    `${r0.dataset}: ${r0.direction === "max" ? "higher" : "lower"} is better; pool best ${fmt(r0.poolBest, digits)}, median ${fmt(r0.poolMedian, digits)}, crash rate ${fmt(r0.poolCrashRate, 3)}; ${r0.seeds} seeds x ${r0.budget} evaluations (mean ± 95 % CI)`,
    line(head),
    ...rows.map(line),
  ].join("\n");
}
