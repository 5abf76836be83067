// The run loop driving the REAL searchers (random, grid, bayes from lib/search) over a real Space, with a
// FAKE evaluator (a made-up objective, no VM): checks the loop/searcher contract including resume.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSpace } from "../../lib/space";
import { createSearcher } from "../../lib/search";
import { SqliteStudyStore, configKey } from "../../harness/store";
import { runStudy } from "../../harness/run";
import type { Config } from "../../lib/search/searcher";
import { fakeSpec } from "./fixtures/fake-parts";

const space = createSpace([
  { name: "net.core.somaxconn", phase: "runtime", type: "integer", min: 128, max: 8192, scale: "log", default: 4096 },
  { name: "vm.swappiness", phase: "runtime", type: "integer", min: 0, max: 100, default: 60 },
  { name: "net.ipv4.tcp_congestion_control", phase: "runtime", type: "choice", values: ["cubic", "reno"], default: "cubic" },
  { name: "kernel.randomize_va_space", phase: "runtime", type: "choice", values: [0, 1, 2], default: 2 },
], { fixed: { "kernel.randomize_va_space": 2 } });

// Made-up objective: peaks at swappiness 10 and large somaxconn; reno crashes "the benchmark" half the time.
function objective(c: Config): number {
  return 1000 + Math.log2(Number(c["net.core.somaxconn"])) * 10 - Math.abs(Number(c["vm.swappiness"]) - 10);
}
const evaluate = async ({ config }: { config: Config }) =>
  config["net.ipv4.tcp_congestion_control"] === "reno" && Number(config["vm.swappiness"]) % 2 === 1
    ? { outcome: { ok: false as const, phase: "benchmark" as const, evidence: "fake" } }
    : { outcome: { ok: true as const, value: objective(config) } };

for (const name of ["random", "grid", "bayes"]) {
  test(`${name}: default first, distinct configurations, pinned values honoured, resume continues without duplicates`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "wf-srch-"));
    const file = join(dir, "s.sqlite");
    const spec = fakeSpec({ searcher: name, seed: 5, budget: { iterations: 8 }, defaultConfig: space.defaultConfig() });
    let store = SqliteStudyStore.create(file, spec);
    const mk = () => createSearcher(name, { space, direction: "max", seed: 5, ...(name === "bayes" ? { settings: { initial: 3 } } : {}) });
    const ac = new AbortController();
    await runStudy({ store, searcher: await mk(), evaluate, signal: ac.signal, onStart: ({ seq }) => { if (seq === 5) ac.abort(); } });
    store.close();
    store = SqliteStudyStore.open(file);
    const summary = await runStudy({ store, searcher: await mk(), evaluate });
    assert.equal(summary.reason, "budget");
    const evs = store.evaluations();
    assert.equal(evs.length, 8);
    assert.deepEqual(evs[0].config, space.defaultConfig());
    assert.equal(new Set(evs.map((e) => configKey(e.config))).size, 8);
    for (const e of evs) {
      assert.deepEqual(space.check(e.config), [], `evaluation ${e.seq} is a valid point of the space`);
      assert.equal(e.config["kernel.randomize_va_space"], 2, "ASLR stays pinned");
    }
    store.close();
    rmSync(dir, { recursive: true });
  });
}
