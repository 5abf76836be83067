// The alpha x gamma ablation heatmaps, built from the committed sweep (figures/data/deeptune-ablation.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ablationGrid, readAblation } from "../../lib/deeptune/ablation-grid";
import { ABLATION_DATA_FILE, ablationHeatmaps } from "../../lib/plots";

const root = join(import.meta.dirname, "../..");

test("ablation heatmaps: one figure per pool, three panels holding the sweep's cells, dark = better in every panel", () => {
  const sweep = readAblation(join(root, ABLATION_DATA_FILE));
  const figures = ablationHeatmaps(sweep);
  assert.deepEqual(figures.map((f) => f.name), sweep.pools.map((p) => `deeptune-ablation-${p.name}`));
  for (const [i, pool] of sweep.pools.entries()) {
    const traces = figures[i].figure.data as { z: (number | null)[][]; x: string[]; y: string[]; reversescale: boolean; zmin: number; zmax: number }[];
    assert.equal(traces.length, 3);
    assert.deepEqual(traces.map((t) => t.z), [ablationGrid(sweep, pool.name, "bestAt"), ablationGrid(sweep, pool.name, "regret"), ablationGrid(sweep, pool.name, "crashRate")]);
    assert.deepEqual(traces[0].x, sweep.alphas.map(String));
    assert.deepEqual(traces[0].y, sweep.gammas.map(String));
    // The colour scale runs light -> dark; reversed, dark is the low end. Low is better except for a maximised best.
    assert.equal(traces[0].reversescale, pool.direction === "min", `${pool.name}: best-value panel oriented wrongly`);
    assert.equal(traces[1].reversescale, true);
    assert.equal(traces[2].reversescale, true);
    for (const t of traces) {
      const values = t.z.flat().filter((v): v is number => v !== null);
      assert.deepEqual([t.zmin, t.zmax], [Math.min(...values), Math.max(...values)]);
    }
    // A label in every cell of every panel, plus the three panel titles.
    const annotations = (figures[i].figure.layout as { annotations: { text: string }[] }).annotations;
    assert.equal(annotations.length, 3 * sweep.alphas.length * sweep.gammas.length + 3);
  }
});

test("ablation heatmaps: a missing or foreign sweep file is a clear error naming it", () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-ablation-"));
  try {
    assert.throws(() => readAblation(join(dir, "none.json")), /none\.json.*cannot read the ablation sweep.*wayfinder deeptune ablation/);
    const foreign = join(dir, "cost.json");
    writeFileSync(foreign, JSON.stringify({ format: "something else", version: 1 }));
    assert.throws(() => readAblation(foreign), /cost\.json: not an ablation result of this version/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
