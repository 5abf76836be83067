// The BENCHMARKS "harness" section is computed from stores; here from studies filled by the loop with a
// FAKE evaluator (fixed timings and values), so every figure in it can be checked exactly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStudyStore } from "../../harness/store";
import { runStudy } from "../../harness/run";
import { harnessSection } from "../../harness/run/harness-benchmark";
import { ListSearcher } from "../../harness/run/list-searcher";
import { FAKE_DEFAULT, fakeSpec } from "./fixtures/fake-parts";

test("the harness section reports cost, the random study and the re-measured effect from the stores", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-bench-"));
  const better = { ...FAKE_DEFAULT, swappiness: 10 };
  const worse = { ...FAKE_DEFAULT, swappiness: 100 };
  const values = new Map([[JSON.stringify(FAKE_DEFAULT), [100, 102]], [JSON.stringify(better), [110, 111]], [JSON.stringify(worse), [90, 90]]]);
  const evaluate = async ({ config, repeat }: { config: Record<string, unknown>; repeat: number }) => ({
    outcome: { ok: true as const, value: values.get(JSON.stringify(config))![repeat] },
    timings: { buildS: 1, bootS: 30, benchmarkS: 20 },
  });
  const rnd = SqliteStudyStore.create(join(dir, "r.sqlite"), fakeSpec({ budget: { iterations: 3 } }));
  await runStudy({ store: rnd, searcher: new ListSearcher("max", [better, worse]), evaluate });
  rnd.close();
  const eff = SqliteStudyStore.create(join(dir, "e.sqlite"), fakeSpec({ repeats: 2, budget: { iterations: 2 } }));
  await runStudy({ store: eff, searcher: new ListSearcher("max", [better]), evaluate });
  eff.close();
  const md = harnessSection(join(dir, "r.sqlite"), [join(dir, "e.sqlite")], ["wayfinder run x"], ["a note"]);
  assert.match(md, /```\nwayfinder run x\n```/);
  assert.match(md, /\| boot \(QEMU start to guest agent\) \| 30\.0 \|/);
  assert.match(md, /\| image build \/ cache lookup \+ config layer \| 1\.0 \|/);
  assert.match(md, /Default: 100\.0 throughput\. Random configurations: min 90\.0, median 110\.0, max 110\.0; 1 of 2 beat the default\./);
  assert.match(md, /\| default \| 2 \| 100\.0, 102\.0 \| 101\.0 \|/);
  assert.match(md, /\| swappiness=10 \| 2 \| 110\.0, 111\.0 \| 110\.5 \| 0\.64% \| \+9\.4% \| yes \|/);
  assert.match(md, /a note$/);
  rmSync(dir, { recursive: true });
});
