import assert from "node:assert/strict";
import { test } from "node:test";
import { WayfinderError } from "../../lib/errors";
import { Rng } from "../../lib/random";
import { parseCondition, evaluateCondition, formatCondition, ConditionSyntaxError } from "../../lib/space/condition";
import { createSpace } from "../../lib/space/space";
import { sampleConfig, UniqueSampler } from "../../lib/space/sample";
import { GridIterator, gridValues } from "../../lib/space/grid";
import { domainValues, type Parameter } from "../../lib/space/parameter";

const allocator: Parameter = { name: "ALLOCATOR", phase: "compile", type: "choice", values: ["bbuddy", "tinyalloc"], default: "bbuddy" };
const align: Parameter = { name: "ALIGN", phase: "compile", type: "integer", min: 8, max: 64, power: 2, condition: parseCondition("ALLOCATOR=='tinyalloc'") };

test("conditions: parse the job-file forms and evaluate them", () => {
  const c = parseCondition("ALLOCATOR=='tinyalloc'");
  assert.deepEqual(c, { op: "eq", name: "ALLOCATOR", value: "tinyalloc" });
  assert.equal(evaluateCondition(c, { ALLOCATOR: "tinyalloc" }), true);
  assert.equal(evaluateCondition(c, { ALLOCATOR: "bbuddy" }), false);
  assert.equal(evaluateCondition(c, {}), false, "an unset parameter makes the condition false");
  const bare = parseCondition("CONFIG_SMP");
  assert.equal(evaluateCondition(bare, { CONFIG_SMP: "y" }), true);
  assert.equal(evaluateCondition(bare, { CONFIG_SMP: "n" }), false);
  const complex = parseCondition("(A in ['x', 'y'] && B != 3) || !C");
  assert.equal(evaluateCondition(complex, { A: "y", B: 4, C: "y" }), true);
  assert.equal(evaluateCondition(complex, { A: "y", B: "3", C: "y" }), false);
  assert.equal(evaluateCondition(complex, { A: "z", B: 4, C: "n" }), true);
  assert.equal(formatCondition(parseCondition(formatCondition(complex))), formatCondition(complex));
  assert.throws(() => parseCondition("A == "), (e: unknown) => e instanceof ConditionSyntaxError && e.offset === 5);
  assert.throws(() => parseCondition("A = 'x'"), ConditionSyntaxError);
});

test("space: conditions, pins and unvaried phases decide each value", () => {
  const space = createSpace([allocator, align, { name: "HZ", phase: "boot", type: "choice", values: [100, 1000], default: 100 }], { vary: ["compile"] });
  assert.deepEqual(space.defaultConfig(), { ALLOCATOR: "bbuddy", HZ: 100 });
  assert.deepEqual(space.complete({ ALLOCATOR: "tinyalloc", HZ: 1000 }), { ALLOCATOR: "tinyalloc", ALIGN: 8, HZ: 100 });
  assert.equal(space.isVaried("HZ"), false);
  assert.deepEqual(space.check({ ALLOCATOR: "bbuddy", ALIGN: 16, HZ: 100 }), ["ALIGN is set but its condition ALLOCATOR == 'tinyalloc' is false"]);
  assert.match(space.check({ ALLOCATOR: "tinyalloc", ALIGN: 12, HZ: 100 })[0], /ALIGN = 12 is outside an integer in \[8, 64\], powers of 2/);
  assert.equal(space.key({ A: 1, B: "x" }), space.key({ B: "x", A: "1" }));
});

test("space: bad definitions are rejected with the parameter and what is valid", () => {
  const err = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof WayfinderError && re.test(e.message));
  err(() => createSpace([allocator, { ...align, condition: parseCondition("ALLOCATR=='tinyalloc'") }]), /ALIGN: its condition .* names "ALLOCATR", which is not a parameter of this space \(did you mean ALLOCATOR\?\)/);
  err(() => createSpace([allocator], { fixed: { ALLOCATOR: "mimalloc" } }), /fixed value "mimalloc" for ALLOCATOR is outside its domain; valid: one of "bbuddy", "tinyalloc"/);
  err(() => createSpace([allocator], { fixed: { NOPE: 1 } }), /fixed value for "NOPE", which is not a parameter/);
  err(() => createSpace([{ ...allocator, default: "x" }]), /default "x" is outside its domain/);
  err(
    () =>
      createSpace([
        { name: "A", phase: "runtime", type: "boolean", condition: parseCondition("B") },
        { name: "B", phase: "runtime", type: "boolean", condition: parseCondition("A") },
      ]),
    /conditions form a cycle: A -> B -> A/,
  );
  err(() => createSpace([allocator, allocator]), /defined twice/);
  err(() => createSpace([{ name: "X", phase: "runtime", type: "integer", min: 0, max: 2 ** 64 }]), /write larger values as a choice/);
});

test("sampling: uniform over choices, log-uniform on log ranges, conditions honoured", () => {
  const space = createSpace([allocator, align, { name: "BUF", phase: "runtime", type: "integer", min: 1, max: 1_000_000, scale: "log" }]);
  const rng = new Rng(42);
  let small = 0;
  let tiny = 0;
  for (let i = 0; i < 4000; i++) {
    const c = sampleConfig(space, rng);
    assert.deepEqual(space.check(c), []);
    if (Number(c.BUF) < 1000) small++;
    if (c.ALLOCATOR === "tinyalloc") tiny++;
  }
  // log-uniform on [1, 1e6]: half the draws fall below 1000 (a linear scale would give 0.1 %)
  assert.ok(Math.abs(small / 4000 - 0.5) < 0.05, `share below 1000: ${small / 4000}`);
  assert.ok(Math.abs(tiny / 4000 - 0.5) < 0.05);
});

test("unique sampler: a small space is enumerated exactly once, then exhausted", () => {
  const space = createSpace([allocator, align]);
  const s = new UniqueSampler(space, new Rng(1));
  const seen = new Set<string>();
  for (let c = s.next(); c; c = s.next()) seen.add(space.key(c));
  assert.equal(seen.size, 1 + 4); // bbuddy, or tinyalloc with 8/16/32/64
});

test("grid: defaults first, last parameter fastest, no repeats under conditions", () => {
  const space = createSpace([allocator, align, { name: "N", phase: "runtime", type: "integer", min: 0, max: 100, default: 10 }]);
  assert.deepEqual(gridValues(space.get("N"), 5), [10, 0, 25, 50, 75, 100]);
  const all = [...new GridIterator(space, 5)];
  assert.deepEqual(all[0], { ALLOCATOR: "bbuddy", N: 10 });
  assert.deepEqual(all[1], { ALLOCATOR: "bbuddy", N: 0 });
  assert.equal(all.length, 6 + 4 * 6);
  assert.equal(new Set(all.map((c) => space.key(c))).size, all.length);
  assert.deepEqual(domainValues(space.get("ALIGN")), [8, 16, 32, 64]);
});
