/**
 * The ablation sweep on a small synthetic pool: every (beta, alpha, gamma) cell is run and recorded,
 * beta reaches the searcher (beta 0 and 1 search differently), the grid reader picks cells by beta, and
 * a file from before beta was an axis reads as DeepTune's default beta. Merging sweeps run in parts:
 * on the committed sweeps (which share seeded cells) and on edited copies that must be refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runAblation } from "../../lib/deeptune/ablation";
import { ablationBetas, ablationGrid, mergeAblations, missingCells, parseAblation, type AblationFile } from "../../lib/deeptune/ablation-grid";
import { mkdtempSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

const committed = (name: string) => {
  const where = `figures/data/${name}`;
  return { where, result: parseAblation(readFileSync(where, "utf8"), where) };
};

test("merging the committed alpha x gamma and beta sweeps: axes and cells are the union, shared cells agree", () => {
  const grid = committed("deeptune-ablation.json"), beta = committed("deeptune-ablation-beta.json");
  const merged = mergeAblations([grid, beta]);
  assert.deepEqual(merged.betas, [...new Set([...ablationBetas(grid.result), ...ablationBetas(beta.result)])].sort((x, y) => x - y));
  assert.deepEqual(merged.alphas, [...new Set([...grid.result.alphas, ...beta.result.alphas])].sort((x, y) => x - y));
  // Every cell of both files is in the merge exactly once (the shared alpha = gamma = 0.5, beta 0.3 cells once).
  const key = (c: AblationFile["cells"][number]) => `${c.pool} ${c.alpha} ${c.gamma} ${c.beta ?? 0.3}`;
  const expected = new Set([...grid.result.cells, ...beta.result.cells].map(key));
  assert.ok(expected.size < grid.result.cells.length + beta.result.cells.length, "the two sweeps should share cells");
  assert.deepEqual(new Set(merged.cells.map(key)), expected);
  assert.equal(merged.cells.length, expected.size);
  for (const c of grid.result.cells) assert.equal(ablationGrid(merged, c.pool, "bestAt", c.beta ?? 0.3)[merged.gammas.indexOf(c.gamma)][merged.alphas.indexOf(c.alpha)], c.bestAt);
  // The beta sweep covers only alpha = gamma = 0.5, so beta 0 and 1 leave the rest of the grid blank.
  assert.ok(missingCells(merged).includes("redis alpha=0 gamma=0.1 beta=0"));
  assert.equal(missingCells(grid.result).length, 0);
  assert.match(merged.command!, /wayfinder deeptune ablation.*; wayfinder deeptune ablation/);
});

test("merging refuses sweeps that cannot share a grid and names the file and cell", () => {
  const grid = committed("deeptune-ablation.json"), beta = committed("deeptune-ablation-beta.json");
  const shared = beta.result.cells.find((c) => c.alpha === 0.5 && c.gamma === 0.5 && (c.beta ?? 0.3) === 0.3)!;
  const edited: AblationFile = { ...beta.result, cells: beta.result.cells.map((c) => (c === shared ? { ...c, bestAt: c.bestAt + 1 } : c)) };
  assert.throws(() => mergeAblations([grid, { where: "edited.json", result: edited }]),
    new RegExp(`edited\\.json: cell ${shared.pool} alpha=0.5 gamma=0.5 beta=0.3 has best .* different versions of DeepTune`));
  assert.throws(() => mergeAblations([grid, { where: "more-seeds.json", result: { ...beta.result, seeds: beta.result.seeds + 1 } }]),
    /more-seeds\.json: seeds \d+ differs from figures\/data\/deeptune-ablation\.json's \d+/);
  const otherData = { ...beta.result, pools: beta.result.pools.map((p) => ({ ...p, best: p.best + 1 })) };
  assert.throws(() => mergeAblations([grid, { where: "other.json", result: otherData }]), /other\.json: pool redis has best .* run on different data/);
  // Sweeps run with other fixed settings (the committed ones: wrapPenalty=1) measure another DeepTune.
  const { settings: _fixed, ...unset } = beta.result;
  assert.throws(() => mergeAblations([grid, { where: "defaults.json", result: unset }]),
    /defaults\.json: fixed settings \(none\) differ from figures\/data\/deeptune-ablation\.json's wrapPenalty=1/);
  assert.doesNotThrow(() => mergeAblations([grid, { where: "cli.json", result: { ...beta.result, settings: { wrapPenalty: "1" } } }]), "a --set value (a string) equals the same number");
  // Timing may differ between runs of the same cell.
  const slower = { ...beta.result, cells: beta.result.cells.map((c) => ({ ...c, askSeconds: (c.askSeconds ?? 0) + 1 })) };
  assert.doesNotThrow(() => mergeAblations([grid, { where: "slower.json", result: slower }]));
});

test("wayfinder deeptune merge writes the merged grid; bad input exits 2 with the reason", () => {
  const out = join(mkdtempSync(join(tmpdir(), "wf-merge-")), "merged.json");
  const wf = (...args: string[]) => spawnSync(process.execPath, ["bin/wayfinder.js", "deeptune", "merge", ...args], { encoding: "utf8", timeout: 60_000 });
  const ok = wf("figures/data/deeptune-ablation.json", "figures/data/deeptune-ablation-beta.json", "--out", out);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /cell\(s\) of that grid were not run/);
  const merged = parseAblation(readFileSync(out, "utf8"), out);
  assert.deepEqual(merged, mergeAblations([committed("deeptune-ablation.json"), committed("deeptune-ablation-beta.json")]));
  const noOut = wf("figures/data/deeptune-ablation.json");
  assert.equal(noOut.status, 2);
  assert.match(noOut.stderr, /needs at least one sweep file and --out/);
  const axis = spawnSync(process.execPath, ["bin/wayfinder.js", "deeptune", "ablation", "--set", "alpha=0.3"], { encoding: "utf8", timeout: 60_000 });
  assert.equal(axis.status, 2);
  assert.match(axis.stderr, /--set alpha: alpha is an axis of the sweep; use --alphas/);
  const missing = wf("no-such-sweep.json", "--out", out);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no-such-sweep\.json: cannot read/);
});
