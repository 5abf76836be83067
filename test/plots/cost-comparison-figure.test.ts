import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { costComparisonFigures, readMeasuredCost, type CostCurve, type MeasuredCost } from "../../lib/plots";

const paper: CostCurve = { name: "DeepTune", samples: [3, 800], seconds: [0.69, 1.59], megabytes: [70, 3800] };
const ours: MeasuredCost = {
  command: "wayfinder bench deeptune", backend: "wasm", poolSize: 2000,
  rows: [{ samples: 10, wallSeconds: 0.4, cpuSeconds: 0.35, rssMb: 310 }, { samples: 800, wallSeconds: 0.6, cpuSeconds: 0.55, rssMb: 330 }],
};

test("cost comparison: our measured time and memory are drawn beside the paper's DeepTune curve", () => {
  const [time, memory] = costComparisonFigures(ours, paper);
  assert.deepEqual([time.name, memory.name], ["deeptune-cost-time", "deeptune-cost-memory"]);
  const traces = (f: typeof time) => f.figure.data as { name: string; x: number[]; y: number[] }[];
  assert.deepEqual(traces(time).map((t) => t.y), [[0.69, 1.59], [0.35, 0.55], [0.4, 0.6]]);
  assert.deepEqual(traces(memory).map((t) => t.y), [[70, 3800], [310, 330]]);
  assert.deepEqual(traces(memory)[1].x, [10, 800]);
});

test("cost comparison: a missing or malformed cost file is a clear error naming it", () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-cost-"));
  try {
    assert.throws(() => readMeasuredCost(join(dir, "none.json")), /none\.json.*wayfinder bench deeptune/);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...ours, rows: [{ samples: 10 }] }));
    assert.throws(() => readMeasuredCost(bad), /bad\.json.*rows must be/);
    const good = join(dir, "good.json");
    writeFileSync(good, JSON.stringify(ours));
    assert.equal(readMeasuredCost(good).rows[1].rssMb, 330);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
