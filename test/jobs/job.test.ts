import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Ajv from "ajv";
import { WayfinderError } from "../../lib/errors";
import { parseJob, parseDuration } from "../../harness/jobs/job";
import { JobSource } from "../../harness/jobs/job-source";

const good = `name: redis-runtime
objective: { metric: throughput, direction: max, unit: req/s }
budget: { iterations: 250, time: 2h }
search: { searcher: bayes, seed: 4, settings: { initial: 5 } }
vary: [runtime, compile]
fixed: { RANDOMIZE_VA_SPACE: 2 }
parameters:
  - { name: SOMAXCONN, phase: runtime, type: integer, min: 128, max: 65535, scale: log, default: 4096 }
  - { name: RANDOMIZE_VA_SPACE, phase: runtime, type: choice, values: [0, 1, 2], default: 2 }
  - { name: ALLOCATOR, phase: compile, type: choice, values: [bbuddy, tinyalloc], default: bbuddy }
  - name: ALIGN
    phase: compile
    type: integer
    min: 8
    max: 128
    power: 2
    default: 8
    condition: "ALLOCATOR == 'tinyalloc'"
  - { name: HZ, phase: boot, type: choice, values: [100, 1000], default: 100 }
target: { kind: linux-vm, anything: [goes, here] }
`;

function problems(text: string): string[] {
  try {
    parseJob(text, "job.yaml");
  } catch (e) {
    if (e instanceof WayfinderError) return e.message.split("\n");
    throw e;
  }
  assert.fail("expected the job to be rejected");
}

test("a valid job gives the space, budget, search and the untouched target", () => {
  const job = parseJob(good, "job.yaml");
  assert.equal(job.direction, "max");
  assert.deepEqual(job.budget, { iterations: 250, seconds: 7200 });
  assert.deepEqual(job.search, { searcher: "bayes", seed: 4, batch: 1, settings: { initial: 5 } });
  assert.deepEqual(job.target, { kind: "linux-vm", anything: ["goes", "here"] });
  assert.equal(job.space.pinnedValue("RANDOMIZE_VA_SPACE"), 2);
  assert.equal(job.space.pinnedValue("HZ"), 100, "boot is not in vary, so HZ keeps its default");
  assert.deepEqual(
    job.space.variedParameters().map((p) => p.name),
    ["SOMAXCONN", "ALLOCATOR", "ALIGN"],
  );
  assert.deepEqual(job.space.complete({ ALLOCATOR: "tinyalloc" }), { SOMAXCONN: 4096, RANDOMIZE_VA_SPACE: 2, ALLOCATOR: "tinyalloc", ALIGN: 8, HZ: 100 });
});

test("schema errors give file:line:column, the bad value and what is valid, all at once", () => {
  const bad = good
    .replace("iterations: 250", "iterations: 0")
    .replace("time: 2h", "time: 2 weeks")
    .replace("vary: [runtime, compile]", "vary: [runtime, kernel]")
    .replace("type: integer, min: 128", "type: integer, colour: red, min: 128")
    .replace("type: choice, values: [100, 1000]", "type: enum, values: [100, 1000]");
  assert.deepEqual(problems(bad), [
    'job.yaml:3:23: budget.iterations: 0 is not valid: must be >= 1',
    'job.yaml:3:32: budget.time: "2 weeks" is not valid; expected a wall time: seconds as a number, or a duration such as 90m, 2h, 3600s',
    'job.yaml:5:17: vary[1]: "kernel" is not valid; expected one of "compile", "boot", "runtime", "application"',
    "job.yaml:8:55: parameters[0].colour: unknown field \"colour\"; valid fields here: name, type, phase, description, condition, min, max, scale, step, power, default",
    'job.yaml:19:36: parameters[4].type: type "enum" is not valid; expected one of integer, choice, boolean, tristate, fixed',
  ]);
  assert.deepEqual(problems("name: x\nobjective: { metric: t, direction: up }\nparameters: []\n"), [
    'job.yaml:2:36: objective.direction: "up" is not valid; expected one of "max", "min"',
    "job.yaml:3:13: parameters: a list is not valid: must NOT have fewer than 1 items",
  ]);
  assert.deepEqual(problems("name: x\nparameters:\n  - { name: A, type: boolean }\n"), ['job.yaml:1:1: missing "objective" (e.g. { metric: throughput, direction: max })']);
});

test("a condition naming an unknown parameter is an error at its line and column, not a hang", () => {
  const bad = good.replace(`condition: "ALLOCATOR == 'tinyalloc'"`, `condition: "ALLOCATR == 'tinyalloc'"`);
  assert.deepEqual(problems(bad), [
    "job.yaml:18:16: parameters[3].condition: parameter ALIGN: its condition \"ALLOCATR == 'tinyalloc'\" names \"ALLOCATR\", which is not a parameter of this space (did you mean ALLOCATOR?)",
  ]);
  const syntax = good.replace(`condition: "ALLOCATOR == 'tinyalloc'"`, `condition: "ALLOCATOR = 'tinyalloc'"`);
  assert.match(problems(syntax)[0], /^job\.yaml:18:27: parameters\[3\]\.condition: condition "ALLOCATOR = 'tinyalloc'" is not valid: unexpected character "="/);
});

test("a fixed value outside the domain, or of an unknown parameter, is an error naming what is valid", () => {
  assert.deepEqual(problems(good.replace("RANDOMIZE_VA_SPACE: 2 }", "RANDOMIZE_VA_SPACE: 3 }")), [
    'job.yaml:6:30: fixed.RANDOMIZE_VA_SPACE: fixed value 3 for RANDOMIZE_VA_SPACE is outside its domain; valid: one of 0, 1, 2',
  ]);
  assert.deepEqual(problems(good.replace("RANDOMIZE_VA_SPACE: 2 }", "RANDOMIZE_VA_SPAC: 2 }")), [
    'job.yaml:6:10: fixed.RANDOMIZE_VA_SPAC: fixed value for "RANDOMIZE_VA_SPAC", which is not a parameter of this space (did you mean RANDOMIZE_VA_SPACE?)',
  ]);
  assert.match(problems(good.replace("default: 4096", "default: 99"))[0], /^job\.yaml:8:98: parameters\[0\]\.default: parameter SOMAXCONN: default 99 is outside its domain; valid: an integer in \[128, 65535\]/);
});

test("YAML syntax errors carry the line and column too", () => {
  assert.match(problems("name: x\nparameters: [\n")[0], /^job\.yaml:\d+:\d+: not valid YAML: /);
  assert.match(problems("name: x\nname: y\nparameters: []\n")[0], /^job\.yaml:2:1: not valid YAML: Map keys must be unique/);
});

test("the harness can report problems in its own section at the right place", () => {
  const source = new JobSource("job.yaml", good);
  assert.throws(() => source.fail(["target", "anything", 1], "bad target value"), /^WayfinderError: job\.yaml:20:44: target\.anything\[1\]: bad target value$/);
});

test("durations and the published schema", () => {
  assert.equal(parseDuration("90m"), 5400);
  assert.equal(parseDuration(12), 12);
  assert.throws(() => parseDuration("soon"), /expected e\.g\./);
  const schema = JSON.parse(readFileSync(join(import.meta.dirname, "../../harness/jobs/job.schema.json"), "utf8"));
  const ajv = new Ajv({ discriminator: true, strict: false });
  assert.equal(ajv.validateSchema(schema), true);
});
