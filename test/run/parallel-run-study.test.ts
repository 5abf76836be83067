// Unit tests of the parallel run loop (runStudy with `parallel: K`) with the FAKE evaluator and searcher
// of test/run/fixtures/fake-parts.ts, and of the pure parts: how many evaluations may start
// (parallelLaunchCount) and which CPU each slot gets (planSlots). The same loop with real VMs in pinned
// slot processes is tested in test/run/parallel-vm.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStudyStore, configKey } from "../../harness/store";
import { formatLogLine, runStudy } from "../../harness/run";
import { parallelLaunchCount } from "../../harness/run/parallel-launch-count";
import { planWarnings } from "../../harness/run/parallel-evaluator";
import { isolationReport, planSlots, type CpuInfo } from "../../harness/queue/cpu-topology";
import type { Config } from "../../lib/search/searcher";
import type { EvaluationReport, EvaluationRequest } from "../../harness/run/evaluator";
import { FakeRandomSearcher, fakeEvaluator, fakeSpec, FAKE_DEFAULT } from "./fixtures/fake-parts";

const tmp = () => mkdtempSync(join(tmpdir(), "wf-par-"));

/** Wraps the fake evaluator to record which evaluations overlap in time and in which slot each ran. */
function tracing(delay: (seq: number) => number) {
  const inner = fakeEvaluator();
  const live = new Map<number, Config>();
  const trace = { maxLive: 0, overlaps: [] as Config[][], slots: new Map<number, number>(), calls: 0 };
  const evaluate = async (req: EvaluationRequest, slot: number): Promise<EvaluationReport> => {
    trace.calls++;
    assert.ok(![...trace.slots.entries()].some(([seq, s]) => s === slot && live.has(seq)), `slot ${slot} is busy`);
    trace.slots.set(req.seq, slot);
    live.set(req.seq, req.config);
    trace.maxLive = Math.max(trace.maxLive, live.size);
    trace.overlaps.push([...live.values()]);
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, delay(req.seq));
        req.signal.addEventListener("abort", () => { clearTimeout(t); reject(new Error("aborted")); }, { once: true });
      });
      return await inner(req);
    } finally {
      live.delete(req.seq);
    }
  };
  return { evaluate, trace };
}

class CountingSearcher extends FakeRandomSearcher {
  readonly asks: number[] = [];
  override async ask(k = 1): Promise<Config[]> {
    this.asks.push(k);
    return super.ask(k);
  }
}

test("parallel 3: three distinct configurations in flight, asked as a batch, each recorded exactly once", async () => {
  const dir = tmp();
  const store = SqliteStudyStore.create(join(dir, "s.sqlite"), fakeSpec({ budget: { iterations: 14 } }));
  const searcher = new CountingSearcher(3);
  // Uneven durations so evaluations finish out of order: evaluation 1 outlasts several later ones.
  const { evaluate, trace } = tracing((seq) => (seq === 1 ? 400 : 5 + ((seq * 7) % 5) * 4));
  const started: Array<{ seq: number; slot: number }> = [];
  const summary = await runStudy({ store, searcher, evaluate, parallel: 3, onStart: ({ seq, slot }) => started.push({ seq, slot }) });
  assert.equal(summary.reason, "budget");
  const evs = store.evaluations();
  assert.equal(evs.length, 14, "exactly the budget");
  assert.ok(evs.every((e) => e.state === "done" && e.attempts === 1));
  assert.deepEqual(evs[0].config, FAKE_DEFAULT);
  assert.equal(new Set(evs.map((e) => configKey(e.config))).size, 14, "no configuration evaluated twice");
  assert.equal(trace.calls, 14);
  assert.equal(trace.maxLive, 3, "three evaluations ran at once");
  for (const group of trace.overlaps) assert.equal(new Set(group.map(configKey)).size, group.length, "configurations in flight together are distinct");
  assert.equal(searcher.asks[0], 2, "the first batch: the default plus 2 asked together");
  assert.ok(searcher.asks.reduce((a, b) => a + b, 0) === 13, `asked ${searcher.asks.join("+")} configurations for 13 slots`);
  assert.deepEqual([...new Set(started.map((s) => s.slot))].sort(), [0, 1, 2]);
  assert.equal(searcher.told.length, 14, "every outcome told");
  // Results are recorded in completion order, not start order: evaluation 1 was recorded after 2 and 3.
  assert.ok(evs[1].finishedAt! > evs[3].finishedAt!, `evaluation 1 finished at ${evs[1].finishedAt}, 3 at ${evs[3].finishedAt}`);
  store.close();
  rmSync(dir, { recursive: true });
});

test("parallel 4 with a budget of 3: never starts more than the budget; the space running out ends the run", async () => {
  const dir = tmp();
  let store = SqliteStudyStore.create(join(dir, "a.sqlite"), fakeSpec({ budget: { iterations: 3 } }));
  const { evaluate, trace } = tracing(() => 5);
  const s1 = await runStudy({ store, searcher: new FakeRandomSearcher(1), evaluate, parallel: 4 });
  assert.equal(s1.reason, "budget");
  assert.equal(store.evaluations().length, 3);
  assert.equal(trace.calls, 3);
  assert.equal(trace.maxLive, 3);
  store.close();
  store = SqliteStudyStore.create(join(dir, "b.sqlite"), fakeSpec({ budget: { iterations: 100 } }));
  const s2 = await runStudy({ store, searcher: new FakeRandomSearcher(1), evaluate: tracing(() => 2).evaluate, parallel: 4 });
  assert.equal(s2.reason, "exhausted");
  assert.equal(store.evaluations().length, 24, "all 3 x 4 x 2 configurations, each once");
  assert.ok(store.evaluations().every((e) => e.state === "done"));
  store.close();
  rmSync(dir, { recursive: true });
});

test("a duration budget with parallel 2: no evaluation starts after the time is spent; running ones finish", async () => {
  const dir = tmp();
  const store = SqliteStudyStore.create(join(dir, "s.sqlite"), fakeSpec({ budget: { seconds: 10 } }));
  let clock = 0;
  const inner = fakeEvaluator();
  // Fake clock: each evaluation "takes" 4 s of study time, two run side by side.
  const summary = await runStudy({
    store, searcher: new FakeRandomSearcher(4), parallel: 2, now: () => clock,
    evaluate: async (r) => { await new Promise((res) => setTimeout(res, 5)); clock += 2000; return inner(r); },
  });
  assert.equal(summary.reason, "budget");
  const n = store.evaluations().length;
  assert.ok(n >= 4 && n <= 6, `${n} evaluations in 10 s at 2 x 4 s`);
  assert.ok(store.evaluations().every((e) => e.state === "done"));
  store.close();
  rmSync(dir, { recursive: true });
});

test("interrupt with 3 in flight, resume with parallel 2: each interrupted one re-run once, nothing lost or duplicated", async () => {
  const dir = tmp();
  const file = join(dir, "s.sqlite");
  let store = SqliteStudyStore.create(file, fakeSpec({ budget: { iterations: 9 } }));
  const ac = new AbortController();
  const quick = fakeEvaluator();
  // Evaluations 0-2 finish; 3-5 run until the interrupt, which comes once all three are running.
  const evaluate = async (req: EvaluationRequest): Promise<EvaluationReport> => {
    if (req.seq < 3) return quick(req);
    await new Promise<void>((resolve) => req.signal.addEventListener("abort", () => resolve(), { once: true }));
    throw new Error("aborted");
  };
  let blocked = 0;
  const first = await runStudy({
    store, searcher: new FakeRandomSearcher(9), signal: ac.signal, parallel: 3, evaluate,
    onStart: ({ seq }) => { if (seq >= 3 && ++blocked === 3) setTimeout(() => ac.abort(), 5); },
  });
  assert.equal(first.reason, "interrupted");
  let evs = store.evaluations();
  const inFlight = evs.filter((e) => e.state === "in-flight");
  assert.equal(evs.length, 6);
  assert.equal(inFlight.length, 3, "the three running evaluations stay in flight");
  store.close();

  store = SqliteStudyStore.open(file);
  const calls: Config[] = [];
  const inner = fakeEvaluator({ calls });
  const second = await runStudy({ store, searcher: new FakeRandomSearcher(9), parallel: 2, evaluate: (r) => inner(r) });
  assert.equal(second.reason, "budget");
  evs = store.evaluations();
  assert.equal(evs.length, 9);
  assert.ok(evs.every((e) => e.state === "done"));
  assert.deepEqual(calls.slice(0, 3).map(configKey).sort(), inFlight.map((e) => configKey(e.config)).sort(), "interrupted ones first");
  assert.equal(calls.length, 9 - 3, "the 3 finished evaluations were not run again");
  assert.equal(evs.filter((e) => e.attempts === 2).length, 3);
  assert.equal(new Set(evs.map((e) => configKey(e.config))).size, 9);
  store.close();
  rmSync(dir, { recursive: true });
});

test("an error in the loop stops the evaluations still running before it propagates", async () => {
  const dir = tmp();
  const store = SqliteStudyStore.create(join(dir, "s.sqlite"), fakeSpec({ budget: { iterations: 10 } }));
  let aborted = 0;
  const evaluate = async (req: EvaluationRequest): Promise<EvaluationReport> => {
    if (req.seq === 2) {
      await new Promise((r) => setTimeout(r, 5));
      return { outcome: { ok: true, value: 1 }, metrics: { bad: 1 }, paramStatus: { x: undefined as never } };
    }
    await new Promise<void>((resolve) => req.signal.addEventListener("abort", () => { aborted++; resolve(); }, { once: true }));
    return { outcome: { ok: false, phase: "harness", evidence: "killed" } };
  };
  // The store refuses to record a second result for seq 2 if we fake one: simulate a store fault instead.
  const realRecord = store.recordResult.bind(store);
  store.recordResult = (seq, result) => { if (seq === 2) throw new Error("disk full"); realRecord(seq, result); };
  await assert.rejects(runStudy({ store, searcher: new FakeRandomSearcher(2), evaluate, parallel: 3 }), /disk full/);
  assert.equal(aborted, 2, "the two other running evaluations were aborted, and waited for");
  assert.equal(store.evaluations().filter((e) => e.state === "in-flight").length, 3, "they stay in flight for a resume");
  assert.equal(store.sessions()[0].endReason, "error");
  store.close();
  rmSync(dir, { recursive: true });
});

test("parallelLaunchCount: free slots, capped by what an evaluation budget leaves; a spent duration starts nothing", () => {
  const it = { iterations: 10 };
  assert.equal(parallelLaunchCount({ budget: it, freeSlots: 4, done: 0, running: 0, elapsed: 0 }), 4);
  assert.equal(parallelLaunchCount({ budget: it, freeSlots: 4, done: 5, running: 3, elapsed: 0 }), 2);
  assert.equal(parallelLaunchCount({ budget: it, freeSlots: 1, done: 9, running: 1, elapsed: 0 }), 0);
  assert.equal(parallelLaunchCount({ budget: it, freeSlots: 0, done: 0, running: 4, elapsed: 0 }), 0);
  assert.equal(parallelLaunchCount({ budget: { seconds: 60 }, freeSlots: 3, done: 100, running: 1, elapsed: 59 }), 3);
  assert.equal(parallelLaunchCount({ budget: { seconds: 60 }, freeSlots: 3, done: 0, running: 1, elapsed: 60 }), 0);
});

test("planSlots on this machine's shape (2 CPUs, 2 cores, one LLC): 2 slots share only the LLC; 3 slots time-share a CPU when allowed", () => {
  const two: CpuInfo[] = [0, 1].map((cpu) => ({ cpu, core: `0:${cpu}`, node: 0, llc: "0-1" }));
  const p2 = planSlots(two, 2, { flag: "--parallel" });
  assert.deepEqual(p2.map((s) => s.cpu), [0, 1]);
  assert.deepEqual(isolationReport(p2), [
    "slot 0: CPU 0 (core 0:0, NUMA node 0, LLC 0-1); shares last-level cache 0-1 with slot 1; NUMA node 0 (memory bandwidth) with slot 1",
    "slot 1: CPU 1 (core 0:1, NUMA node 0, LLC 0-1); shares last-level cache 0-1 with slot 0; NUMA node 0 (memory bandwidth) with slot 0",
  ]);
  assert.throws(() => planSlots(two, 3, { flag: "--parallel" }), /cannot pin 3 slots: .* use --parallel 2 or fewer/);
  const p3 = planSlots(two, 3, { allowShared: true });
  assert.deepEqual(p3.map((s) => s.cpu), [0, 1, 0]);
  assert.deepEqual(p3.map((s) => s.sharesCpuWith), [[2], [], [0]]);
  assert.match(isolationReport(p3)[2], /^slot 2: CPU 0 .*shares CPU 0 itself \(time-sliced, more slots than CPUs\) with slot 0; last-level cache/);
  assert.doesNotMatch(isolationReport(p3)[2], /SMT/, "the same CPU is not reported again as an SMT sibling");
});

test("more slots than physical cores is warned about, naming the cores and what the slots share", () => {
  const smt: CpuInfo[] = [0, 1].map((cpu) => ({ cpu, core: "0:0", node: 0, llc: "0-1" })); // 1 core, 2 SMT threads
  const plan2 = planSlots(smt, 2);
  assert.match(planWarnings(plan2, 1, 2).join(), /--parallel 2 exceeds the 1 physical core\(s\) this process may use \(2 CPU\(s\)\): slots share cores \(SMT siblings\)/);
  assert.match(planWarnings(planSlots(smt, 3, { allowShared: true }), 1, 2).join(), /slots share CPUs \(time-sliced\)/);
  const two: CpuInfo[] = [0, 1].map((cpu) => ({ cpu, core: `0:${cpu}`, node: 0, llc: "0-1" }));
  assert.deepEqual(planWarnings(planSlots(two, 2), 2, 2), []);
});

test("an L2 shared by two cores is avoided while another exists, and reported when shared", () => {
  // Two clusters of two cores, each cluster sharing one L2; one LLC for all.
  const cl: CpuInfo[] = [0, 1, 2, 3].map((cpu) => ({ cpu, core: `0:${cpu}`, node: 0, llc: "0-3", l2: cpu < 2 ? "0-1" : "2-3" }));
  assert.deepEqual(planSlots(cl, 2).map((s) => s.cpu), [0, 2], "the second slot goes to the other L2 cluster");
  const p3 = planSlots(cl, 3);
  assert.match(isolationReport(p3)[0], /^slot 0: CPU 0 \(core 0:0, NUMA node 0, L2 0-1, LLC 0-3\); shares L2 cache 0-1 with slot 2; last-level cache 0-3 with slot 1, 2/);
  assert.match(isolationReport(p3)[1], /L2 2-3 private/);
});

test("a parallel run's log line names the slot and how many evaluations are still running", () => {
  const line = formatLogLine({
    seq: 3, config: {}, outcome: { ok: true, value: 90 }, done: 2, budget: { iterations: 6 }, elapsed: 30, remaining: 60,
    best: { seq: 0, value: 100 }, defaultValue: 100, crashRate: 0, rerun: false, slot: 1, running: 1,
  }, "max");
  assert.equal(line, "evaluation 3 (slot 1): 90.0 | [2/6]  elapsed 30s  remaining ~1m00s  best 100.0 #0 (+0.0% vs default)  crashes 0%  running 1");
});
