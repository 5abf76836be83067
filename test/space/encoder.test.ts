import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../lib/random";
import { Encoder, wrapInt32 } from "../../lib/space/encoder";
import { parseCondition } from "../../lib/space/condition";
import { sampleConfig } from "../../lib/space/sample";
import { createSpace } from "../../lib/space/space";

const space = createSpace(
  [
    { name: "ALLOCATOR", phase: "compile", type: "choice", values: ["bbuddy", "tinyalloc", "mimalloc"] },
    { name: "ALIGN", phase: "compile", type: "integer", min: 8, max: 128, power: 2, condition: parseCondition("ALLOCATOR == 'tinyalloc'") },
    { name: "BUF", phase: "runtime", type: "integer", min: 0, max: 10_000_000 },
    { name: "SMALL", phase: "runtime", type: "integer", min: 0, max: 10, step: 2 },
    { name: "SHMMAX", phase: "runtime", type: "choice", values: ["18446744073692774399", "68719476736", "4294967295"] },
    { name: "TCP_RMEM", phase: "runtime", type: "choice", values: ["4096 87380 6291456", "4096 131072 6291456"] },
    { name: "SMP", phase: "compile", type: "boolean" },
    { name: "MOD", phase: "compile", type: "tristate" },
    { name: "ASLR", phase: "runtime", type: "choice", values: ["0", "1", "2"], default: "2" },
  ],
  { fixed: { ASLR: "2" } },
);

test("encoder: stable, readable columns; pinned parameters get none", () => {
  const e = new Encoder(space);
  assert.deepEqual(e.columns, [
    "ALLOCATOR=bbuddy",
    "ALLOCATOR=tinyalloc",
    "ALLOCATOR=mimalloc",
    "ALIGN",
    "ALIGN?",
    "BUF",
    "SMALL",
    "SHMMAX",
    "SHMMAX#neg32",
    "TCP_RMEM=4096 87380 6291456",
    "TCP_RMEM=4096 131072 6291456",
    "SMP=y",
    "MOD=y",
    "MOD=m",
    "MOD=n",
  ]);
  assert.equal(e.columnParameters[4], "ALIGN");
});

test("encoder: z-scores numerics (log-z for wide ranges and huge integers kept as strings)", () => {
  const e = new Encoder(space);
  const lo = e.encode(space.complete({ BUF: 0, SHMMAX: "4294967295" }));
  const hi = e.encode(space.complete({ BUF: 10_000_000, SHMMAX: "18446744073692774399" }));
  const mid = e.encode(space.complete({ BUF: 3162, SHMMAX: "68719476736" }));
  const col = (n: string) => e.columns.indexOf(n);
  // BUF spans 7 orders of magnitude: log scale puts ~sqrt(1e7) in the middle
  assert.ok(Math.abs(mid[col("BUF")] - (lo[col("BUF")] + hi[col("BUF")]) / 2) < 0.01);
  assert.ok(hi[col("SHMMAX")] > mid[col("SHMMAX")] && mid[col("SHMMAX")] > lo[col("SHMMAX")]);
  // uniform on [-sqrt3, sqrt3] after z-scoring a uniform domain
  assert.ok(Math.abs(lo[col("BUF")] + Math.sqrt(3)) < 1e-9);
});

test("encoder: integers reaching 2^31 get a column for their 32-bit wrap being negative (exact on huge strings)", () => {
  const e = new Encoder(space);
  const col = e.columns.indexOf("SHMMAX#neg32");
  const neg = (v: string) => e.encode(space.complete({ SHMMAX: v }))[col];
  // 2^64 - 16777217: low 32 bits 0xFEFFFFFF, negative as an int (a double would round the value to 2^64 - 16777216).
  assert.equal(neg("18446744073692774399"), 1);
  assert.equal(neg("68719476736"), 0); // 2^36: low 32 bits are 0
  assert.equal(neg("4294967295"), 1); // 0xFFFFFFFF = -1
  assert.equal(wrapInt32("2147483648"), -1);
  assert.equal(wrapInt32("2147483647"), (2 ** 31 - 1) / 2 ** 31);
  assert.ok(Number.isNaN(wrapInt32("0x1003")));
  // BUF stops at 10^7 and gets no such column; the option turns the columns off.
  assert.ok(!e.columns.includes("BUF#neg32"));
  assert.ok(!new Encoder(space, { wrap32: false }).columns.includes("SHMMAX#neg32"));
  assert.equal(e.decode(e.encode(space.complete({ SHMMAX: "68719476736" }))).SHMMAX, "68719476736");
});

test("encoder: decode(encode(x)) == x for random points, and snaps vectors to the domain", () => {
  const e = new Encoder(space);
  const rng = new Rng(3);
  for (let i = 0; i < 500; i++) {
    const c = sampleConfig(space, rng);
    assert.deepEqual(e.decode(e.encode(c)), c);
  }
  const v = e.encode(space.complete({ ALLOCATOR: "tinyalloc", ALIGN: 32, SMALL: 4 }));
  v[e.columns.indexOf("ALIGN")] += 0.1;
  v[e.columns.indexOf("SMALL")] += 0.2;
  const d = e.decode(v);
  assert.equal(d.ALIGN, 32);
  assert.equal(Number(d.SMALL) % 2, 0);
});

test("encoder: means and deviations from data when given", () => {
  const data = [space.complete({ BUF: 100 }), space.complete({ BUF: 200 })];
  const e = new Encoder(space, { data });
  const x = e.encode(data[0]);
  const y = e.encode(data[1]);
  const c = e.columns.indexOf("BUF");
  assert.ok(Math.abs(x[c] + y[c]) < 1e-9 && Math.abs(Math.abs(x[c]) - 1) < 1e-9);
});
