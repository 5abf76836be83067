/**
 * Simulated wall time of one evaluation during a replay, as the paper's figures did (a normal draw with
 * the application's measured mean and deviation). The paper does not publish those figures; ours are
 * the benchmark phases of the original Wayfinder job files (start_delay + duration of the benchtool),
 * with a 10 % deviation, and are only used to put a time axis on replays, never to rank searchers.
 */
import type { Rng } from "../random";

export interface TestTimeModel {
  meanSeconds: number;
  stdSeconds: number;
}

/** By application (Dataset provenance.app). Sources: ../shared/wayfinder-jobs/<job>/ benchtool timings. */
export const TEST_TIME_BY_APP: Record<string, TestTimeModel> = {
  redis: { meanSeconds: 35, stdSeconds: 3.5 }, // linux-redis: start_delay 20 + duration 15
  sqlite: { meanSeconds: 45, stdSeconds: 4.5 }, // linux-sqlite: 15 + 30
  npb: { meanSeconds: 200, stdSeconds: 20 }, // linux-hpc: 20 + 180
  "linux-riscv": { meanSeconds: 40, stdSeconds: 4 }, // linux-riscv: 10 + 30 (boot and measure)
  nginx: { meanSeconds: 35, stdSeconds: 3.5 }, // unikraft-nginx: 5 + 30
};

export const DEFAULT_TEST_TIME: TestTimeModel = { meanSeconds: 60, stdSeconds: 6 };

export function testTimeFor(app: string | undefined): TestTimeModel {
  return (app && TEST_TIME_BY_APP[app]) || DEFAULT_TEST_TIME;
}

/** One evaluation's simulated seconds (never below 10 % of the mean). */
export function drawTestTime(model: TestTimeModel, rng: Rng): number {
  return Math.max(0.1 * model.meanSeconds, model.meanSeconds + model.stdSeconds * rng.normal());
}
