/**
 * The replay driver (paper §4): runs any searcher against a recorded pool used as an oracle. The
 * searcher is created with the pool's rows as its only candidates; each proposed configuration is looked
 * up in the pool and its recorded value (or crash) is told back. Time is simulated: each evaluation
 * costs a draw of the application's test-time model, plus the searcher's own measured ask time.
 */
import { WayfinderError, quote } from "../errors";
import { Rng } from "../random";
import { createSearcher } from "./registry";
import type { ReplayPool } from "./replay-pool";
import type { Config, Outcome } from "./searcher";
import { drawTestTime } from "./test-time";

export interface ReplayOptions {
  searcher: string;
  budget: number;
  seed: number;
  /** Configurations asked for at once (default 1). */
  batch?: number;
  settings?: Record<string, unknown>;
}

export interface ReplayRun {
  searcher: string;
  seed: number;
  /** Recorded value of each evaluation in order; null = crash. */
  values: (number | null)[];
  /** Pool row of each evaluation. */
  rows: number[];
  /** Simulated seconds elapsed after each evaluation. */
  seconds: number[];
  /** Real milliseconds of each ask call (one per batch). */
  askMs: number[];
  /** Observations the searcher had been told when each ask started. */
  askObservations: number[];
}

export async function replay(pool: ReplayPool, options: ReplayOptions): Promise<ReplayRun> {
  if (!Number.isInteger(options.budget) || options.budget <= 0) throw new WayfinderError(`budget must be a positive integer, got ${quote(options.budget)}`);
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch <= 0) throw new WayfinderError(`batch must be a positive integer, got ${quote(batch)}`);
  const rowsByKey = new Map<string, number[]>();
  pool.configs.forEach((c, i) => {
    const k = pool.space.key(c);
    const list = rowsByKey.get(k);
    if (list) list.push(i);
    else rowsByKey.set(k, [i]);
  });
  const searcher = await createSearcher(options.searcher, {
    space: pool.space,
    direction: pool.direction,
    seed: options.seed,
    pool: pool.configs,
    settings: options.settings,
  });
  const timeRng = new Rng(options.seed ^ 0x5eed);
  const run: ReplayRun = { searcher: options.searcher, seed: options.seed, values: [], rows: [], seconds: [], askMs: [], askObservations: [] };
  let clock = 0;
  try {
    while (run.values.length < options.budget) {
      const k = Math.min(batch, options.budget - run.values.length);
      const t0 = performance.now();
      run.askObservations.push(run.values.length);
      const configs = await searcher.ask(k);
      const ms = performance.now() - t0;
      run.askMs.push(ms);
      if (configs.length === 0) break; // pool exhausted
      clock += ms / 1000;
      const told: { config: Config; outcome: Outcome }[] = [];
      for (const config of configs) {
        const rows = rowsByKey.get(pool.space.key(config));
        if (!rows || rows.length === 0) throw new WayfinderError(`searcher ${options.searcher} proposed a configuration that is not in the pool: ${quote(JSON.stringify(config))}`);
        const row = rows.shift()!;
        const value = pool.values[row];
        clock += drawTestTime(pool.testTime, timeRng);
        run.values.push(value);
        run.rows.push(row);
        run.seconds.push(clock);
        told.push({ config, outcome: value === null ? { ok: false, phase: "runtime", evidence: "recorded as a crash in the pool" } : { ok: true, value } });
      }
      await searcher.tell(told);
    }
  } finally {
    searcher.dispose?.();
  }
  return run;
}
