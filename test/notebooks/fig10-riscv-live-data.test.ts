// The data behind notebooks/fig10-riscv-live.ipynb (executed by notebooks.test.ts): the committed
// datasets must be what `wayfinder export` makes of the committed study stores today, and the stores must
// come from the example job as it is now (the same parameters and defaults), so the notebook never plots a
// stale export or a search of a different space.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run as exportStudy } from "../../harness/cli/commands/export";
import { loadJob, parseJob } from "../../harness/jobs/job";
import { SqliteStudyStore } from "../../harness/store/sqlite-study-store";

const root = join(import.meta.dirname, "../..");
const STUDIES = ["random", "deeptune", "remeasure"].map((s) => join(root, `datasets/harness/riscv-footprint-${s}`));

test("riscv footprint datasets are the exports of their committed stores, searched over the example job's space", async () => {
  const example = loadJob(join(root, "harness/examples/linux-riscv-footprint.yaml"));
  const params = (ps: typeof example.parameters) => ps.map((p) => `${p.name}:${p.phase}:${p.type}:${String(p.default)}`);
  const out = mkdtempSync(join(tmpdir(), "wf-riscv-export-"));
  try {
    for (const base of STUDIES) {
      const store = SqliteStudyStore.open(`${base}.sqlite`, { readonly: true });
      const info = store.info();
      const done = store.evaluations().filter((e) => e.state === "done");
      store.close();
      assert.deepEqual(params(parseJob(info.jobText, info.jobPath).parameters), params(example.parameters), `${base}.sqlite searched another space`);
      assert.ok(done.length >= 2, `${base}.sqlite has ${done.length} finished evaluations`);
      const csv = join(out, "x.csv");
      const log = console.log;
      console.log = () => {};
      try {
        assert.equal(await exportStudy([`${base}.sqlite`, "--out", csv]), 0);
      } finally {
        console.log = log;
      }
      // the timing columns are recomputed identically; compare everything
      assert.equal(readFileSync(csv, "utf8"), readFileSync(`${base}.csv`, "utf8"), `${base}.csv is not the current export of ${base}.sqlite`);
      assert.deepEqual(JSON.parse(readFileSync(join(out, "x.schema.json"), "utf8")).columns, JSON.parse(readFileSync(`${base}.schema.json`, "utf8")).columns);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
