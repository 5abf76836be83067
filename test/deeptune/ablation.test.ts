/**
 * The ablation sweep on a small synthetic pool: every (beta, alpha, gamma) cell is run and recorded,
 * beta reaches the searcher (beta 0 and 1 search differently), the grid reader picks cells by beta, and
 * a file from before beta was an axis reads as DeepTune's default beta.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runAblation } from "../../lib/deeptune/ablation";
import { ablationBetas, ablationGrid, parseAblation } from "../../lib/deeptune/ablation-grid";
import { DEEPTUNE_DEFAULTS } from "../../lib/deeptune/deeptune-settings";
import type { ReplayPool } from "../../lib/search/replay-pool";
import type { Config } from "../../lib/search/searcher";
import { createSpace } from "../../lib/space/space";
import { DEFAULT_TEST_TIME } from "../../lib/search/test-time";

/** 400 rows; performance peaks at X = 70, crashes above Y = 15. */
function pool(): ReplayPool {
  const space = createSpace([
    { name: "X", phase: "runtime", type: "integer", min: 0, max: 99 },
    { name: "Y", phase: "runtime", type: "integer", min: 0, max: 19 },
  ]);
  const configs: Config[] = [];
  const values: (number | null)[] = [];
  for (let x = 0; x < 100; x += 5) for (let y = 0; y < 20; y++) {
    configs.push({ X: x, Y: y });
    values.push(y > 15 ? null : 1000 - (x - 70) ** 2 - y);
  }
  const ok = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  return {
    name: "toy", space, direction: "max", objective: "score", configs, values, best: ok[ok.length - 1], median: ok[ok.length >> 1],
    crashRate: 1 - ok.length / values.length, testTime: DEFAULT_TEST_TIME,
  };
}

const quick = { hidden: "16", poolSize: 200, initialSteps: 10, steps: 2, initial: 5 };

test("ablation: beta is a third axis; its cells are recorded, reach the searcher and are read back by beta", async () => {
  const result = await runAblation({
    pools: [{ name: "toy", pool: pool() }], alphas: [0.5], gammas: [0.5], betas: [0, 1], seeds: 2, budget: 25, settings: quick, command: "test",
  });
  assert.deepEqual(result.betas, [0, 1]);
  assert.deepEqual(result.cells.map((c) => c.beta), [0, 1]);
  for (const c of result.cells) assert.ok(Number.isFinite(c.bestAt) && c.crashRate >= 0 && c.crashRate <= 1);
  const file = parseAblation(JSON.stringify(result), "ablation.json");
  const exploit = ablationGrid(file, "toy", "regret", 0)[0][0]!;
  const explore = ablationGrid(file, "toy", "regret", 1)[0][0]!;
  assert.equal(exploit, result.cells[0].regret);
  assert.equal(explore, result.cells[1].regret);
  assert.notEqual(result.cells[0].crashRate + result.cells[0].regret, result.cells[1].crashRate + result.cells[1].regret, "beta 0 and 1 ran the same search");
  // A file written before beta was an axis: its cells are the default beta's.
  const old = { ...result, betas: undefined, cells: result.cells.slice(0, 1).map(({ beta: _b, ...c }) => c) };
  const oldFile = parseAblation(JSON.stringify(old), "old.json");
  assert.deepEqual(ablationBetas(oldFile), [DEEPTUNE_DEFAULTS.beta]);
  assert.equal(ablationGrid(oldFile, "toy", "regret")[0][0], result.cells[0].regret);
  await assert.rejects(runAblation({ pools: [{ name: "toy", pool: pool() }], alphas: [0.5], gammas: [0.5], betas: [1.5], seeds: 1, budget: 5, command: "test" }), /beta 1.5 is outside \[0, 1\]/);
});
