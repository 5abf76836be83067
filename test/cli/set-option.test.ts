/** `--set name=value` is parsed the same way by every command that takes it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { parseSetOption } from "../../harness/cli/set-option";

test("parseSetOption splits at the first '=' and refuses a missing name or '='", () => {
  assert.deepEqual(parseSetOption("wrapPenalty=1"), { name: "wrapPenalty", value: "1" });
  assert.deepEqual(parseSetOption("hidden=64,64"), { name: "hidden", value: "64,64" });
  assert.deepEqual(parseSetOption("a=b=c"), { name: "a", value: "b=c" });
  assert.deepEqual(parseSetOption("a="), { name: "a", value: "" });
  assert.throws(() => parseSetOption("novalue"), /--set "novalue" is not valid; expected name=value/);
  assert.throws(() => parseSetOption("=3"), /--set "=3" is not valid; expected name=value/);
});

test("replay and deeptune ablation both refuse a --set without '=' (exit 2, the same message)", () => {
  for (const args of [["replay", "--dataset", "none.csv", "--set", "novalue"], ["deeptune", "ablation", "--set", "novalue"]]) {
    const r = spawnSync(process.execPath, ["bin/wayfinder.js", ...args], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /--set "novalue" is not valid; expected name=value/);
  }
});
