/**
 * The alpha x gamma (x beta) ablation: DeepTune replays every pool for every (alpha, gamma, beta) cell over several
 * seeds and records, per cell, the mean best value after `checkpoint` iterations, the mean normalised
 * regret there (|pool best - best found| / |pool best - pool median|, 0 = found the best) and the mean
 * crash rate. The result is plain JSON so the notebook (notebooks/ablation-alpha-gamma.ipynb) can draw
 * heatmaps from a committed file without re-running anything. beta (how much the acquisition weighs
 * exploration against predicted performance; 1 is the paper's score alone) is a third, optional axis:
 * a file without `betas` holds the default beta only.
 */
import { fail } from "../errors";
import { DEEPTUNE_DEFAULTS } from "./deeptune-settings";
import { replay } from "../search/replay";
import { scoreRun } from "../search/replay-metrics";
import type { ReplayPool } from "../search/replay-pool";

export interface AblationCell {
  pool: string;
  alpha: number;
  gamma: number;
  beta: number;
  seeds: number;
  bestAt: number;
  regret: number;
  crashRate: number;
  /** Median seconds per ask over all runs of the cell. */
  askSeconds: number;
}

export interface AblationResult {
  format: "wayfinder-deeptune-ablation";
  version: 1;
  command: string;
  budget: number;
  checkpoint: number;
  alphas: number[];
  gammas: number[];
  betas: number[];
  seeds: number;
  /** DeepTune settings fixed for every cell (besides alpha, gamma, beta); absent when none. */
  settings?: Record<string, string | number>;
  pools: { name: string; best: number; median: number; direction: string }[];
  cells: AblationCell[];
}

export interface AblationPlan {
  pools: { name: string; pool: ReplayPool }[];
  alphas: number[];
  gammas: number[];
  /** Default: DeepTune's default beta only. */
  betas?: number[];
  seeds: number;
  budget: number;
  /** Iteration at which best and regret are read (default min(100, budget)). */
  checkpoint?: number;
  /** DeepTune settings fixed for every cell (as `--set` gives them); recorded in the result. */
  settings?: Record<string, string | number>;
  command: string;
  onCell?: (cell: AblationCell) => void;
}

export async function runAblation(plan: AblationPlan): Promise<AblationResult> {
  for (const a of plan.alphas) if (!(a >= 0 && a <= 1)) fail(`alpha ${a} is outside [0, 1]`);
  for (const g of plan.gammas) if (!(g > 0)) fail(`gamma ${g} must be > 0`);
  const betas = plan.betas ?? [DEEPTUNE_DEFAULTS.beta];
  for (const b of betas) if (!(b >= 0 && b <= 1)) fail(`beta ${b} is outside [0, 1]`);
  for (const axis of ["alpha", "gamma", "beta"]) if (plan.settings && axis in plan.settings) fail(`setting ${axis} is an axis of the sweep, not a fixed setting`);
  const checkpoint = plan.checkpoint ?? Math.min(100, plan.budget);
  if (checkpoint > plan.budget) fail(`checkpoint ${checkpoint} is beyond the budget ${plan.budget}`);
  const cells: AblationCell[] = [];
  for (const { name, pool } of plan.pools) {
    const stats = { best: pool.best, median: pool.median, direction: pool.direction };
    for (const beta of betas) for (const alpha of plan.alphas) {
      for (const gamma of plan.gammas) {
        const best: number[] = [], regret: number[] = [], crash: number[] = [], asks: number[] = [];
        for (let seed = 1; seed <= plan.seeds; seed++) {
          const run = await replay(pool, { searcher: "deeptune", budget: plan.budget, seed, settings: { ...plan.settings, alpha, gamma, beta } });
          const s = scoreRun(run.values, stats, [checkpoint]);
          const b = s.bestAt[checkpoint];
          best.push(b ?? NaN);
          regret.push(s.regretAt[checkpoint]);
          crash.push(s.crashRate);
          asks.push(...run.askMs.map((ms) => ms / 1000));
        }
        const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
        asks.sort((x, y) => x - y);
        const cell = { pool: name, alpha, gamma, beta, seeds: plan.seeds, bestAt: mean(best), regret: mean(regret), crashRate: mean(crash), askSeconds: asks[asks.length >> 1] ?? 0 };
        cells.push(cell);
        plan.onCell?.(cell);
      }
    }
  }
  return {
    format: "wayfinder-deeptune-ablation", version: 1, command: plan.command, budget: plan.budget, checkpoint,
    alphas: plan.alphas, gammas: plan.gammas, betas, seeds: plan.seeds,
    ...(plan.settings && Object.keys(plan.settings).length ? { settings: plan.settings } : {}),
    pools: plan.pools.map(({ name, pool }) => ({ name, best: pool.best, median: pool.median, direction: pool.direction })),
    cells,
  };
}
