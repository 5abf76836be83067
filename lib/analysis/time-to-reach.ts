/**
 * Time to reach a target, and the speed-up transfer learning brings (the last columns of the paper's
 * Table 2): for each run, the cumulative seconds (or iterations) at which its best-so-far first reaches
 * the target; the mean over the runs that reach it; and the ratio of two such means.
 */
import type { Direction } from "../datasets/types";
import { fail } from "../errors";
import { bestSoFar } from "./best-so-far";
import type { TraceRun } from "./trace-run";

export interface ReachResult {
  /** Per run: seconds (or iterations when runs carry no seconds) until the target; null if never reached. */
  perRun: Array<number | null>;
  /** Mean over the runs that reached it; null if none did. */
  mean: number | null;
  reached: number;
  runs: number;
  unit: "s" | "iterations";
}

const reaches = (v: number, target: number, direction: Direction) => (direction === "max" ? v >= target : v <= target);

export function timeToReach(runs: ReadonlyArray<TraceRun>, target: number, options: { direction?: Direction; iterations?: number } = {}): ReachResult {
  if (runs.length === 0) fail("time to reach needs at least one run");
  if (!Number.isFinite(target)) fail(`target ${target} is invalid; use a finite number`);
  const direction = options.direction ?? "max";
  const timed = runs.every((r) => r.seconds && r.seconds.length >= Math.min(r.values.length, options.iterations ?? Infinity));
  const perRun = runs.map((r) => {
    const n = Math.min(r.values.length, options.iterations ?? Infinity);
    const best = bestSoFar(r.values.slice(0, n), direction);
    let t = 0;
    for (let i = 0; i < n; i++) {
      t += timed ? r.seconds![i] : 1;
      const b = best[i];
      if (b !== null && reaches(b, target, direction)) return t;
    }
    return null;
  });
  const got = perRun.filter((x): x is number => x !== null);
  return {
    perRun,
    mean: got.length ? got.reduce((a, b) => a + b, 0) / got.length : null,
    reached: got.length,
    runs: runs.length,
    unit: timed ? "s" : "iterations",
  };
}

/** Speed-up of `withTl` over `without` (mean time without / mean time with); null when either never reached. */
export function transferSpeedup(without: ReachResult, withTl: ReachResult): number | null {
  if (without.unit !== withTl.unit) fail(`cannot compare times in ${without.unit} with times in ${withTl.unit}`);
  if (without.mean === null || withTl.mean === null || withTl.mean === 0) return null;
  return without.mean / withTl.mean;
}
