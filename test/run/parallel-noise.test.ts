// The pure parts of the parallel-noise report and warnings: comparing the same configurations measured
// sequentially and in parallel, and when `wayfinder run --parallel` must warn. Records are built by hand
// in the shape the store returns; the measurements themselves come from `wayfinder bench parallel-noise`.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { EvaluationRecord } from "../../harness/store/study-store";
import { compareParallelNoise, summarizeNoise } from "../../harness/run/parallel-noise-comparison";
import { NOISE_CV_LIMIT, parallelNoiseWarnings, parallelStartNotes } from "../../harness/run/parallel-noise-check";
import { aggregateRepeats } from "../../harness/run/aggregate-repeats";

function record(seq: number, values: number[], o: { parallel?: number; icount?: boolean; failed?: boolean } = {}): EvaluationRecord {
  const repeats = values.map((v) => ({ outcome: { ok: true as const, value: v }, metrics: {}, seconds: 1 }));
  if (o.failed) repeats.push({ outcome: { ok: false, phase: "boot" } as never, metrics: {}, seconds: 1 });
  const agg = aggregateRepeats(repeats);
  return {
    seq, config: { x: seq }, state: "done", isDefault: seq === 0, session: 1, attempts: 1, startedAt: "",
    outcome: agg.outcome, metrics: agg.metrics, repeats,
    provenance: { icount: o.icount ?? false, ...(o.parallel ? { slot: { slot: seq % 2, parallel: o.parallel } } : {}) },
  };
}

test("per configuration: relative difference of the means and each side's repeat CV; failures are not compared", () => {
  const seq = [record(0, [100, 100]), record(1, [200, 220]), record(2, [50])];
  const par = [record(1, [190, 190], { parallel: 2 }), record(0, [90, 110], { parallel: 2 }), record(2, [50], { parallel: 2, failed: true })];
  const rows = compareParallelNoise(seq, par);
  assert.deepEqual(rows.map((r) => r.seq), [0, 1, 2], "in the sequential study's order, matched by configuration");
  assert.equal(rows[0].relDiff, 0);
  assert.ok(Math.abs(rows[1].relDiff! - (190 / 210 - 1)) < 1e-12);
  assert.equal(rows[2].relDiff, undefined, "a failed side is not compared");
  assert.ok(Math.abs(rows[0].parallel!.cv - Math.sqrt(200) / 100) < 1e-12);
  const s = summarizeNoise(rows);
  assert.equal(s.compared, 2);
  assert.ok(Math.abs(s.maxAbsDiff - (1 - 190 / 210)) < 1e-12);
  assert.ok(Math.abs(s.medianCvSequential - (Math.sqrt(200) / 210) / 2) < 1e-12, "median of the CVs 0 and 6.7%");
});

test("warnings: parallel repeat CV above the limit, a noisy default, and a mix of real-time alone and beside others", () => {
  const quiet = [record(0, [100, 100.5], { parallel: 2 }), record(1, [120, 120.2], { parallel: 2 })];
  assert.deepEqual(parallelNoiseWarnings(quiet), [], "CV below 2%: no warning");
  const noisy = [record(0, [100, 120], { parallel: 2 }), record(1, [120, 150], { parallel: 2 }), record(2, [80, 81], { parallel: 2 })];
  const w = parallelNoiseWarnings(noisy);
  assert.equal(w.length, 2);
  assert.match(w[0], /median repeat CV of the 3 evaluation\(s\) measured with --parallel 2 is 12\.9% \(limit 2\.0%\); differences between configurations below about 25\.7% are noise/);
  assert.match(w[1], /default configuration \(evaluation 0\) was measured beside other VMs with a repeat CV of 12\.9%/);
  const mixed = [record(0, [100]), record(1, [110], { parallel: 2 })];
  assert.match(parallelNoiseWarnings(mixed).join("\n"), /1 real-time evaluation\(s\) ran alone and 1 beside other VMs/);
  const mixedIcount = [record(0, [100], { icount: true }), record(1, [110], { parallel: 2, icount: true })];
  assert.deepEqual(parallelNoiseWarnings(mixedIcount), [], "under -icount, alone and parallel values are on one scale");
  assert.deepEqual(parallelNoiseWarnings([record(0, [100, 130]), record(1, [100, 140])]), [], "sequential noise is not parallel noise");
  assert.equal(NOISE_CV_LIMIT, 0.02);
  assert.match(parallelNoiseWarnings(noisy, { cvLimit: 0.2 }).join(), /^$/);
});

test("a real-time parallel run with one repeat is told up front that its noise cannot be checked", () => {
  assert.match(parallelStartNotes({ parallel: 2, repeats: 1, deterministic: false }).join(), /cannot be estimated/);
  assert.deepEqual(parallelStartNotes({ parallel: 2, repeats: 2, deterministic: false }), []);
  assert.deepEqual(parallelStartNotes({ parallel: 2, repeats: 1, deterministic: true }), []);
  assert.deepEqual(parallelStartNotes({ parallel: 1, repeats: 1, deterministic: false }), []);
});
