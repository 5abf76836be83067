// Export of a study to the project's dataset format (CSV + JSON sidecar), read back with the dataset
// layer's own reader and summary. The study comes from the loop with a FAKE evaluator (no VM).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readDataset, summarizeDataset, writeDataset } from "../../lib/datasets";
import { SqliteStudyStore } from "../../harness/store";
import { runStudy } from "../../harness/run";
import { studyToDataset } from "../../harness/run/study-dataset";
import { FakeRandomSearcher, fakeEvaluator, fakeSpec } from "./fixtures/fake-parts";

test("a study exports as a dataset the analysis layer reads like the paper's pools", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-exp-"));
  const store = SqliteStudyStore.create(join(dir, "s.sqlite"), fakeSpec({ repeats: 2, budget: { iterations: 15 } }));
  await runStudy({ store, searcher: new FakeRandomSearcher(21), evaluate: fakeEvaluator({ noise: 0.01 }) });
  const evs = store.evaluations();
  const ds = studyToDataset(store.info(), evs, { source: store.location, phases: { somaxconn: "runtime", swappiness: "runtime", hz_boot: "boot" } });
  const out = join(dir, "export.csv");
  writeDataset(ds, out);
  const back = readDataset(out);
  const sum = summarizeDataset(back);
  const ok = evs.filter((e) => e.outcome!.ok).map((e) => (e.outcome as { value: number }).value);
  assert.equal(sum.rows, 15);
  assert.equal(sum.crashed, evs.filter((e) => !e.outcome!.ok).length);
  assert.ok(sum.crashed > 0);
  assert.equal(sum.best, Math.max(...ok));
  assert.equal(sum.direction, "max");
  assert.equal(sum.parameters, 3);
  assert.deepEqual(back.table.array("perm_id"), evs.map((e) => e.seq));
  assert.equal(back.table.get("is_default", 0), true);
  assert.equal(back.schema.parameters.find((p) => p.name === "hz_boot")!.phase, "boot");
  assert.ok((back.table.array("objective_cv") as number[]).some((v) => v !== null && v > 0));
  store.close();
  rmSync(dir, { recursive: true });
});
