import assert from "node:assert/strict";
import { test } from "node:test";
import { scoreCandidates } from "../../lib/deeptune/score-candidates";

const base = { goodness: [1, 2, 3, 4, 5, 6], sigma: [0, 0, 0, 0, 0, 0], nearestSq: [1, 1, 1, 1, 1, 1] };

test("scoring: the crash cap drops likely crashes, and the goodness rank decides among the rest", () => {
  const acq = scoreCandidates({ ...base, crashProbability: [0.05, 0.1, 0.6, 0.1, 0.05, 0.7] }, { alpha: 0.5, beta: 0, crashCap: 0.2 });
  assert.deepEqual([2, 5].map((i) => acq[i]), [-Infinity, -Infinity]);
  const best = acq.indexOf(Math.max(...acq));
  assert.equal(best, 4, "the best-predicted candidate that is not a likely crash");
});

test("scoring: when the cap would drop (nearly) everything, the safest minKeep share is kept", () => {
  // An untrained crash model says ~0.3 for everything: with cap 0.2 nothing would survive.
  const p = [0.31, 0.29, 0.33, 0.3, 0.28, 0.34];
  const kept = (minKeep: number) => Array.from(scoreCandidates({ ...base, crashProbability: p }, { alpha: 0.5, beta: 0, crashCap: 0.2, minKeep }))
    .map((v, i) => (v > -Infinity ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(kept(0.5), [1, 3, 4]);
  assert.deepEqual(kept(0), [4], "at least one candidate always survives");
});
