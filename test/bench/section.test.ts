import { test } from "node:test";
import assert from "node:assert/strict";
import { replaceSection } from "../../lib/bench/section";

test("replaceSection appends a new section and replaces an existing one in place", () => {
  const a = replaceSection("# Benchmarks\n", "search", "table 1");
  assert.equal(a, "# Benchmarks\n\n<!-- BEGIN search -->\ntable 1\n<!-- END search -->\n");
  const b = replaceSection(a + "\ntrailer\n", "search", "table 2");
  assert.match(b, /<!-- BEGIN search -->\ntable 2\n<!-- END search -->\n\ntrailer/);
  assert.doesNotMatch(b, /table 1/);
});
