// The resolved-.config diff that BENCHMARKS.md's riscv-footprint section shows between the start and the
// best configuration (harness/build/bench-riscv-footprint.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { dotConfigDiff } from "../../harness/build/dot-config-diff";

test("dotConfigDiff: values set only on one side, changed values on both, unset spellings equal", () => {
  const start = ["CONFIG_VT=y", "CONFIG_VT_CONSOLE=y", "CONFIG_LOG_BUF_SHIFT=17", "CONFIG_RD_GZIP=y", "# CONFIG_SMP is not set", "CONFIG_CMDLINE=\"\"", ""].join("\n");
  const best = ["# CONFIG_VT is not set", "CONFIG_LOG_BUF_SHIFT=12", "CONFIG_RD_GZIP=y", "CONFIG_CMDLINE=\"\"", "CONFIG_NEW=y"].join("\n");
  assert.deepEqual(dotConfigDiff(start, best), {
    removed: ["LOG_BUF_SHIFT=17", "VT=y", "VT_CONSOLE=y"],
    added: ["LOG_BUF_SHIFT=12", "NEW=y"],
  });
  assert.deepEqual(dotConfigDiff(start, start), { removed: [], added: [] });
  // "is not set" on one side and absent on the other are the same: no difference
  assert.deepEqual(dotConfigDiff("# CONFIG_SMP is not set\n", ""), { removed: [], added: [] });
});
