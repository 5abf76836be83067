import { test } from "node:test";
import assert from "node:assert/strict";
import { parseMarkers, reached } from "../../harness/vm/markers";

const hex = (s: string) => Buffer.from(s).toString("hex");

test("a complete run parses, with CR line ends tolerated", () => {
  const r = parseMarkers([
    "@@WF stage agent@@\r",
    "@@WF module pvpanic ok@@",
    "@@WF param 0 written " + hex("4096\n") + "@@",
    "@@WF param 1 rejected@@",
    "@@WF param 2 missing@@",
    "@@WF param 3 written@@",
    "@@WF stage bench-start@@",
    "@@WF output " + hex("SET: 1234.5 requests per second\n") + "@@",
    "@@WF stage done@@",
  ]);
  assert.deepEqual(r.errors, []);
  assert.ok(reached(r, "done"));
  assert.equal(r.modules.pvpanic, "ok");
  assert.deepEqual(r.params.get(0), { status: "written", readback: "4096\n" });
  assert.equal(r.params.get(1)?.status, "rejected");
  assert.equal(r.params.get(2)?.status, "missing");
  assert.equal(r.params.get(3)?.readback, "");
  assert.match(r.output ?? "", /1234\.5/);
});

test("anything that is not a well-formed marker is an error, never silently accepted", () => {
  const bad = [
    "hello",
    "@@WF stage nonsense@@",
    "@@WF fail config $(reboot)@@",
    "@@WF output zz@@",
    "@@WF param 1 applied@@",
    "@@WF stage done@@ trailing",
    "@@WF  stage done@@",
    "@@WF output 0g@@",
  ];
  const r = parseMarkers(bad);
  assert.equal(r.errors.length, bad.length);
  assert.equal(r.stages.length, 0);
  assert.equal(r.failure, undefined);
});

test("a second failure line or a duplicated parameter report is an error", () => {
  const r = parseMarkers(["@@WF fail benchmark exit-1@@", "@@WF fail config param-0@@", "@@WF param 0 missing@@", "@@WF param 0 rejected@@"]);
  assert.deepEqual(r.failure, { phase: "benchmark", detail: "exit-1" });
  assert.equal(r.errors.length, 2);
});

test("arrival times are kept for stages", () => {
  const r = parseMarkers([{ line: "@@WF stage bench-start@@", atMs: 10 }, { line: "@@WF stage bench-end@@", atMs: 25 }]);
  assert.deepEqual(r.stages, [{ stage: "bench-start", atMs: 10 }, { stage: "bench-end", atMs: 25 }]);
});
