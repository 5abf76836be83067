import { test } from "node:test";
import assert from "node:assert/strict";
import { minmax, throughputMemoryScore, weightedScore } from "../../lib/deeptune/multi-objective";

test("Fig. 11 score: minmax(throughput) - minmax(memory)", () => {
  const s = throughputMemoryScore([100, 200, 150], [10, 30, 10]);
  assert.deepEqual(s, [0 - 0, 1 - 1, 0.5 - 0]);
  assert.deepEqual(minmax([5, 5]), [0, 0]);
});

test("weighted score: directions and weights; a crashed row stays NaN", () => {
  const rows = [{ thr: 100, mem: 10 }, { thr: 200, mem: 30 }, { thr: 150, mem: 10 }, { thr: NaN, mem: 20 }];
  const s = weightedScore(rows, [{ name: "thr", direction: "max", weight: 1 }, { name: "mem", direction: "min", weight: 1 }]);
  assert.deepEqual(s.slice(0, 3), [0.5, 0.5, 0.75]);
  assert.ok(Number.isNaN(s[3]));
  const onlyThr = weightedScore(rows, [{ name: "thr", direction: "max", weight: 3 }, { name: "mem", direction: "min", weight: 0 }]);
  assert.deepEqual(onlyThr.slice(0, 3), [0, 1, 0.5]);
  assert.throws(() => weightedScore(rows, [{ name: "thr", direction: "max", weight: 0 }]), /weights are all zero/);
});
