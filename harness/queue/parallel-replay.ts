/**
 * A replay of a recorded pool with K evaluation slots, on a simulated clock: what a study would gain
 * from K workers, and what batch suggestions cost in search quality. The policy is the coordinator's
 * (runStudyOnQueue): fill every free slot with a fresh suggestion, and whenever an evaluation finishes,
 * tell its outcome and ask again for the free slots. Evaluation times are drawn from the application's
 * test-time model (lib/search/test-time); the searcher's ask time is measured for real and advances the
 * clock, since the coordinator asks while the workers wait.
 */
import { WayfinderError, quote } from "../../lib/errors";
import { Rng } from "../../lib/random";
import { createSearcher } from "../../lib/search/registry";
import type { ReplayPool } from "../../lib/search/replay-pool";
import type { Config, Outcome } from "../../lib/search/searcher";
import { drawTestTime } from "../../lib/search/test-time";

export interface ParallelReplayOptions {
  searcher: string;
  budget: number;
  slots: number;
  seed: number;
  settings?: Record<string, unknown>;
}

export interface ParallelReplayRun {
  /** Recorded value of each evaluation in order of completion; null = crash. */
  values: (number | null)[];
  /** Simulated seconds at each completion. */
  seconds: number[];
  /** Simulated seconds when the last evaluation finished. */
  wallSeconds: number;
  /** Real milliseconds spent in ask, in total. */
  askMs: number;
}

interface Running {
  finish: number;
  config: Config;
  value: number | null;
}

export async function replayParallel(pool: ReplayPool, o: ParallelReplayOptions): Promise<ParallelReplayRun> {
  if (!Number.isInteger(o.slots) || o.slots < 1) throw new WayfinderError(`slots must be a positive integer, got ${quote(o.slots)}`);
  if (!Number.isInteger(o.budget) || o.budget < 1) throw new WayfinderError(`budget must be a positive integer, got ${quote(o.budget)}`);
  const rowsByKey = new Map<string, number[]>();
  pool.configs.forEach((c, i) => {
    const k = pool.space.key(c);
    rowsByKey.set(k, [...(rowsByKey.get(k) ?? []), i]);
  });
  const searcher = await createSearcher(o.searcher, { space: pool.space, direction: pool.direction, seed: o.seed, pool: pool.configs, settings: o.settings });
  const timeRng = new Rng(o.seed ^ 0x5eed);
  const run: ParallelReplayRun = { values: [], seconds: [], wallSeconds: 0, askMs: 0 };
  const running: Running[] = [];
  let clock = 0;
  let issued = 0;
  let exhausted = false;
  try {
    while (true) {
      const k = Math.min(o.slots - running.length, o.budget - issued);
      if (k > 0 && !exhausted) {
        const t0 = performance.now();
        const configs = await searcher.ask(k);
        const ms = performance.now() - t0;
        run.askMs += ms;
        clock += ms / 1000;
        if (configs.length === 0) exhausted = true;
        for (const config of configs) {
          const rows = rowsByKey.get(pool.space.key(config));
          if (!rows?.length) throw new WayfinderError(`searcher ${o.searcher} proposed a configuration that is not in the pool: ${quote(JSON.stringify(config))}`);
          const row = rows.shift()!;
          running.push({ finish: clock + drawTestTime(pool.testTime, timeRng), config, value: pool.values[row] });
          issued++;
        }
      }
      if (running.length === 0) break;
      running.sort((a, b) => a.finish - b.finish);
      const e = running.shift()!;
      clock = Math.max(clock, e.finish);
      run.values.push(e.value);
      run.seconds.push(clock);
      const outcome: Outcome = e.value === null ? { ok: false, phase: "runtime", evidence: "recorded as a crash in the pool" } : { ok: true, value: e.value };
      await searcher.tell([{ config: e.config, outcome }]);
    }
  } finally {
    searcher.dispose?.();
  }
  run.wallSeconds = clock;
  return run;
}

/** Best recorded value among the first `n` completed evaluations (undefined if all crashed). */
export function bestAfter(values: readonly (number | null)[], n: number, direction: "max" | "min"): number | undefined {
  let best: number | undefined;
  for (const v of values.slice(0, n)) {
    if (v === null) continue;
    if (best === undefined || (direction === "max" ? v > best : v < best)) best = v;
  }
  return best;
}
