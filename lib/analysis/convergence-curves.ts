/**
 * Per-iteration statistics of several runs of one search, as in the paper's Fig. 6: mean and standard
 * deviation across runs (crashed evaluations counted as `crashValue`, 0 by default, as the paper does),
 * the share of runs that crashed at each iteration, the mean best-so-far, and the mean cumulative time
 * when the runs carry per-iteration seconds. Every series is also given smoothed with a centred moving
 * average of `window` iterations (mirror padding).
 *
 * Runs of different lengths are cut to the shortest (noted in `notes`); asking for more iterations than
 * a run has is an error naming that run. No output value is ever NaN.
 */
import type { Direction } from "../datasets/types";
import { fail } from "../errors";
import { bestSoFar } from "./best-so-far";
import { centredMovingAverage } from "./moving-average";
import type { TraceRun } from "./trace-run";

export interface ConvergenceOptions {
  /** Iterations to cover (default: the shortest run's length). */
  iterations?: number;
  /** Smoothing window (default 1 = none). */
  window?: number;
  /** Value a crashed evaluation contributes to the mean (default 0). */
  crashValue?: number;
  direction?: Direction;
}

export interface Band {
  mean: number[];
  std: number[];
  lower: number[];
  upper: number[];
}

export interface ConvergenceCurves {
  runs: number;
  iterations: number;
  /** 1..iterations */
  iteration: number[];
  raw: Band & { crashRate: number[] };
  smoothed: Band & { crashRate: number[] };
  window: number;
  /** Mean over runs of the best value found so far (runs with nothing yet are left out; null if none has). */
  bestSoFar: Array<number | null>;
  /** Mean cumulative seconds at the end of each iteration, when every run has seconds. */
  time?: number[];
  notes: string[];
}

function band(columns: number[][]): Band {
  const n = columns.length;
  const mean: number[] = [];
  const std: number[] = [];
  for (const col of columns) {
    const m = col.reduce((a, b) => a + b, 0) / col.length;
    // population deviation across runs (numpy's default, which the artifact's plots used)
    const s = Math.sqrt(col.reduce((a, b) => a + (b - m) ** 2, 0) / col.length);
    mean.push(m);
    std.push(s);
  }
  return { mean, std, lower: mean.map((m, i) => m - std[i]), upper: mean.map((m, i) => m + std[i]) };
}

export function convergenceCurves(runs: ReadonlyArray<TraceRun>, options: ConvergenceOptions = {}): ConvergenceCurves {
  if (runs.length === 0) fail("convergence needs at least one run, got none");
  const crashValue = options.crashValue ?? 0;
  const window = options.window ?? 1;
  const notes: string[] = [];
  const lengths = runs.map((r) => r.values.length);
  const shortest = Math.min(...lengths);
  let iterations = options.iterations ?? shortest;
  if (!Number.isInteger(iterations) || iterations < 1) fail(`iterations ${JSON.stringify(iterations)} is invalid; use an integer >= 1`);
  runs.forEach((r) => {
    if (r.values.length < iterations)
      fail(`run ${JSON.stringify(r.label)} has ${r.values.length} iterations, fewer than the ${iterations} asked for; the runs have ${lengths.join(", ")}`);
  });
  if (options.iterations === undefined && new Set(lengths).size > 1)
    notes.push(`runs have ${lengths.join(", ")} iterations; the curves cover the first ${iterations}, common to all`);
  if (window > iterations) notes.push(`smoothing window ${window} is longer than the ${iterations} iterations; the ends are mirrored several times`);

  const columns: number[][] = [];
  const crashRate: number[] = [];
  for (let i = 0; i < iterations; i++) {
    let crashes = 0;
    columns.push(
      runs.map((r) => {
        const v = r.values[i];
        if (v === null || !Number.isFinite(v)) {
          crashes++;
          return crashValue;
        }
        return v;
      }),
    );
    crashRate.push(crashes / runs.length);
  }
  const raw = band(columns);
  const smooth = (xs: number[]) => centredMovingAverage(xs, window);
  const sMean = smooth(raw.mean);
  const sStd = smooth(raw.std);
  const best = runs.map((r) => bestSoFar(r.values.slice(0, iterations), options.direction ?? "max"));
  const bestMean = Array.from({ length: iterations }, (_, i) => {
    const xs = best.map((b) => b[i]).filter((v): v is number => v !== null);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  });
  let time: number[] | undefined;
  if (runs.every((r) => r.seconds && r.seconds.length >= iterations)) {
    const cum = runs.map((r) => {
      let t = 0;
      return r.seconds!.slice(0, iterations).map((s) => (t += s));
    });
    time = Array.from({ length: iterations }, (_, i) => cum.reduce((a, c) => a + c[i], 0) / runs.length);
  } else if (runs.some((r) => r.seconds)) notes.push("some runs lack per-iteration seconds: no time axis");
  return {
    runs: runs.length,
    iterations,
    iteration: Array.from({ length: iterations }, (_, i) => i + 1),
    raw: { ...raw, crashRate },
    smoothed: { mean: sMean, std: sStd, lower: sMean.map((m, i) => m - sStd[i]), upper: sMean.map((m, i) => m + sStd[i]), crashRate: smooth(crashRate) },
    window,
    bestSoFar: bestMean,
    ...(time ? { time } : {}),
    notes,
  };
}
