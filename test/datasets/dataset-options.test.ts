// Parsing of the dataset options shared by every command that reads a dataset.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDatasetOptions } from "../../harness/cli/dataset-options";
import { WayfinderError } from "../../lib/errors";

test("flags are taken out of argv, the rest keeps its order", () => {
  const r = parseDatasetOptions(["info", "--objective", "latency", "f.csv", "--direction", "min", "--crash-marker", "-1", "--crash-marker=0", "--json"]);
  assert.deepEqual(r.options, { objective: "latency", direction: "min", crashMarkers: ["-1", "0"] });
  assert.deepEqual(r.rest, ["info", "f.csv", "--json"]);
});

test("--crash-marker none means an explicit empty list; absent means not given", () => {
  assert.deepEqual(parseDatasetOptions(["--crash-marker", "none"]).options, { crashMarkers: [] });
  assert.deepEqual(parseDatasetOptions(["x"]).options, {});
  assert.deepEqual(parseDatasetOptions(["--sheet=Data"]).options, { sheet: "Data" });
});

test("bad values are clear errors", () => {
  const is = (re: RegExp) => (e: unknown) => e instanceof WayfinderError && re.test(e.message);
  assert.throws(() => parseDatasetOptions(["--direction", "up"]), is(/--direction "up": expected max or min/));
  assert.throws(() => parseDatasetOptions(["--objective"]), is(/--objective needs a value/));
  assert.throws(() => parseDatasetOptions(["--crash-marker="]), is(/--crash-marker needs a value/));
});
