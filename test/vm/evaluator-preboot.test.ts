/** Failures the evaluator reports before any VM boots: no QEMU, bad bindings. No VM needed. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { evaluate } from "../../harness/vm/evaluator";
import { validateTarget } from "../../harness/vm/validate-target";

const target = validateTarget({
  vm: { qemu: "qemu-system-nonexistent", accel: "tcg" },
  benchmark: { run: "true", metrics: [{ name: "score", pattern: "score=([0-9]+)" }] },
});

test("a missing QEMU binary is a harness failure with the fix in the evidence, never an exception", async () => {
  const r = await evaluate({ target, params: [{ name: "vm.swappiness", phase: "runtime" }], config: { "vm.swappiness": 10 } });
  assert.deepEqual(r.outcome.ok, false);
  assert.ok(!r.outcome.ok && r.outcome.phase === "harness");
  assert.match(!r.outcome.ok ? r.outcome.evidence ?? "" : "", /not on PATH; install the Debian package qemu-system-x86/);
});

test("a configuration value without a binding is a harness failure naming it", async () => {
  const r = await evaluate({ target, params: [], config: { "vm.swappiness": 10 } });
  assert.ok(!r.outcome.ok && r.outcome.phase === "harness");
  assert.match(!r.outcome.ok ? r.outcome.evidence ?? "" : "", /"vm\.swappiness" has no parameter binding/);
});
