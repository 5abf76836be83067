import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../lib/random";

test("the same seed gives the same sequence, different seeds differ", () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const sa = Array.from({ length: 5 }, () => a.uint32());
  assert.deepEqual(sa, Array.from({ length: 5 }, () => b.uint32()));
  assert.notDeepEqual(sa, Array.from({ length: 5 }, () => c.uint32()));
});

test("int stays in range and covers it; next is uniform enough", () => {
  const r = new Rng(1);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const v = r.int(3, 7);
    assert.ok(v >= 3 && v <= 7);
    seen.add(v);
  }
  assert.equal(seen.size, 5);
  let sum = 0;
  for (let i = 0; i < 10000; i++) sum += r.next();
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02);
});

test("shuffle is a permutation", () => {
  const xs = Array.from({ length: 50 }, (_, i) => i);
  const s = new Rng(7).shuffle(xs);
  assert.notDeepEqual(s, xs);
  assert.deepEqual([...s].sort((a, b) => a - b), xs);
});
