import { test } from "node:test";
import assert from "node:assert/strict";
import { predictionMetrics, evaluatePredictionQuality, rocAuc } from "../../lib/deeptune/prediction-quality";
import { initBackend } from "../../lib/deeptune/backend";
import { createSpace } from "../../lib/space/space";
import type { Config } from "../../lib/search/searcher";

test("Table 3 metrics as documented: failure accuracy, run accuracy (runs and within 5 %), MAE over the range", () => {
  const m = predictionMetrics(
    [0.9, 0.2, 0.1, 0.6, 0.3], // crash probabilities
    [0, 104, 150, 100, 100], // predicted values
    [true, false, false, false, true], // measured crashes
    [NaN, 100, 200, 100, NaN], // measured values
  );
  assert.equal(m.failureAccuracy, 3 / 5); // rows 0, 1, 2 right; row 3 says crash, row 4 says runs
  assert.equal(m.runAccuracy, 1 / 3); // row 1 only (row 2 is 25 % off, row 3 predicted to crash)
  assert.ok(Math.abs(m.normalisedMae - (4 + 50 + 0) / 3 / 100) < 1e-12);
});

test("prediction quality on a learnable pool beats its baselines; no non-crashed training row is a clear error", async () => {
  await initBackend();
  const space = createSpace([
    { name: "A", phase: "runtime", type: "integer", min: 0, max: 49 },
    { name: "B", phase: "runtime", type: "choice", values: ["p", "q"] },
  ]);
  const configs: Config[] = [];
  for (let a = 0; a < 50; a++) for (const b of ["p", "q"]) configs.push({ A: a, B: b });
  const values = configs.map((c) => (Number(c.A) >= 35 ? null : 100 + 3 * Number(c.A) + (c.B === "q" ? 20 : 0)));
  const q = evaluatePredictionQuality({ space, configs, values, direction: "max", name: "toy" }, { steps: 300, seed: 2, settings: { hidden: [32] } });
  assert.ok(q.failureAccuracy > q.failureBaseline, `failure accuracy ${q.failureAccuracy} vs majority ${q.failureBaseline}`);
  assert.ok(q.normalisedMae < q.maeBaseline * 0.6, `NMAE ${q.normalisedMae} vs median baseline ${q.maeBaseline}`);
  assert.throws(
    () => evaluatePredictionQuality({ space, configs, values: configs.map(() => null), direction: "max", name: "all-crash" }, { steps: 1 }),
    /all-crash: the training rows contain no non-crashed row/,
  );
});

test("prediction quality: crash AUC ranks crashed rows above clean ones (ties count one half)", () => {
  assert.equal(rocAuc([0.9, 0.8, 0.1, 0.2], [true, true, false, false]), 1);
  assert.equal(rocAuc([0.1, 0.2, 0.9, 0.8], [true, true, false, false]), 0);
  assert.equal(rocAuc([0.5, 0.5, 0.5, 0.5], [true, false, true, false]), 0.5);
  assert.equal(rocAuc([0.3, 0.6, 0.4], [false, true, true]), 1);
  assert.ok(Number.isNaN(rocAuc([0.3, 0.6], [true, true])));
});
