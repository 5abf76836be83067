// wayfinder bench real-effect: which configurations re-measure a search's best (pure), and the section
// written from the real studies recorded for BENCHMARKS.md (datasets/harness/real-effect-*.sqlite).
import { test } from "node:test";
import assert from "node:assert/strict";
import { deriveConfigs } from "../../harness/cli/commands/bench-real-effect";

const phases = new Map([
  ["vm.swappiness", "runtime"],
  ["mitigations", "boot"],
  ["init_on_alloc", "boot"],
  ["journal_mode", "application"],
  ["synchronous", "application"],
]);
const def = { "vm.swappiness": 60, mitigations: "auto", init_on_alloc: 1, journal_mode: "DELETE", synchronous: "FULL" };
const best = { "vm.swappiness": 60, mitigations: "off", init_on_alloc: 0, journal_mode: "OFF", synchronous: "FULL" };

test("the best is split into its OS part and its application part, other values at the default", () => {
  const d = deriveConfigs(best, def, phases);
  assert.deepEqual(d.changed, ["mitigations", "init_on_alloc", "journal_mode"]);
  assert.deepEqual(d.osPart, { ...def, mitigations: "off", init_on_alloc: 0 });
  assert.deepEqual(d.appPart, { ...def, journal_mode: "OFF" });
  assert.deepEqual(d.best, best);
});

test("per changed parameter: the change alone on the default, and the best without it", () => {
  const d = deriveConfigs(best, def, phases);
  assert.deepEqual(d.solo.get("init_on_alloc"), { ...def, init_on_alloc: 0 });
  assert.deepEqual(d.without.get("init_on_alloc"), { ...best, init_on_alloc: 1 });
  assert.deepEqual([...d.solo.keys()], d.changed);
  // A parameter equal to its default is neither varied alone nor removed.
  assert.equal(d.solo.has("vm.swappiness"), false);
});

test("values compare as text: 0 and \"0\" are the same value, so no spurious change", () => {
  const d = deriveConfigs({ ...def, init_on_alloc: "1" }, def, phases);
  assert.deepEqual(d.changed, []);
});
