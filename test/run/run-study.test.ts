// Unit tests of the run loop with a FAKE evaluator and a FAKE searcher (test/run/fixtures/fake-parts.ts);
// the real VM evaluator and real searchers are exercised by test/run/run-vm.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { SqliteStudyStore, configKey } from "../../harness/store";
import { runStudy, parseBudget, aggregateRepeats, formatProgressLine } from "../../harness/run";
import type { Config } from "../../lib/search/searcher";
import { FakeRandomSearcher, fakeEvaluator, fakeSpec, FAKE_DEFAULT, fakeObjective } from "./fixtures/fake-parts";

const tmp = () => mkdtempSync(join(tmpdir(), "wf-run-"));

test("evaluation 0 is the default, then N-1 distinct searcher proposals; failures are recorded and told", async () => {
  const dir = tmp();
  const store = SqliteStudyStore.create(join(dir, "s.sqlite"), fakeSpec({ budget: { iterations: 24 } }));
  const searcher = new FakeRandomSearcher(3);
  const summary = await runStudy({ store, searcher, evaluate: fakeEvaluator() });
  assert.equal(summary.reason, "budget");
  const evs = store.evaluations();
  assert.equal(evs.length, 24);
  assert.deepEqual(evs[0].config, FAKE_DEFAULT);
  assert.ok(evs[0].isDefault);
  assert.equal(new Set(evs.map((e) => configKey(e.config))).size, 24, "no configuration evaluated twice");
  const failed = evs.filter((e) => !e.outcome!.ok);
  assert.ok(failed.length > 0, "the fake space has crashing configurations; the run must have gone on past them");
  assert.ok(failed.every((e) => e.outcome!.ok === false && e.outcome!.phase === "boot"));
  assert.equal(searcher.told.length, 24, "every outcome, failures included, is told to the searcher");
  const best = summary.best!;
  assert.equal((best.outcome as { value: number }).value, Math.max(...evs.filter((e) => e.outcome!.ok).map((e) => (e.outcome as { value: number }).value)));
  store.close();
  rmSync(dir, { recursive: true });
});

test("the run stops when the space is exhausted", async () => {
  const dir = tmp();
  const store = SqliteStudyStore.create(join(dir, "s.sqlite"), fakeSpec({ budget: { iterations: 100 } }));
  const summary = await runStudy({ store, searcher: new FakeRandomSearcher(1), evaluate: fakeEvaluator() });
  assert.equal(summary.reason, "exhausted");
  assert.equal(store.evaluations().length, 24, "3 x 4 x 2 configurations");
  store.close();
  rmSync(dir, { recursive: true });
});

test("repeats are aggregated into mean and coefficient of variation", async () => {
  const agg = aggregateRepeats([10, 12, 14].map((v) => ({ outcome: { ok: true as const, value: v }, metrics: { x: v * 2 }, seconds: 1 })));
  assert.deepEqual(agg.outcome, { ok: true, value: 12 });
  assert.equal(agg.metrics.x, 24);
  assert.equal(agg.metrics.objective_std, 2);
  assert.ok(Math.abs(agg.metrics.objective_cv - 2 / 12) < 1e-12);
  const failed = aggregateRepeats([
    { outcome: { ok: true, value: 1 }, metrics: {}, seconds: 1 },
    { outcome: { ok: false, phase: "timeout" }, metrics: {}, seconds: 1 },
  ]);
  assert.equal(failed.outcome.ok, false);

  const dir = tmp();
  const store = SqliteStudyStore.create(join(dir, "s.sqlite"), fakeSpec({ repeats: 3, budget: { iterations: 3 } }));
  const calls: Config[] = [];
  await runStudy({ store, searcher: new FakeRandomSearcher(2), evaluate: fakeEvaluator({ noise: 0.01, calls }) });
  const evs = store.evaluations();
  for (const e of evs) {
    if (!e.outcome!.ok) { assert.equal(e.repeats!.length, 1, "a failed repeat stops the evaluation"); continue; }
    assert.equal(e.repeats!.length, 3);
    assert.ok(e.metrics!.objective_cv > 0 && e.metrics!.objective_cv < 0.05);
    assert.ok(Math.abs((e.outcome as { value: number }).value - fakeObjective(e.config)) / fakeObjective(e.config) < 0.05);
  }
  assert.equal(calls.length, evs.reduce((a, e) => a + e.repeats!.length, 0));
  store.close();
  rmSync(dir, { recursive: true });
});

test("a duration budget stops starting evaluations once the time is spent", async () => {
  const dir = tmp();
  const store = SqliteStudyStore.create(join(dir, "s.sqlite"), fakeSpec({ budget: parseBudget("10s") }));
  let clock = 0;
  const evaluate = fakeEvaluator();
  const summary = await runStudy({
    store, searcher: new FakeRandomSearcher(4), now: () => clock,
    evaluate: async (r) => { clock += 3000; return evaluate(r); }, // each evaluation "takes" 3 s
  });
  assert.equal(summary.reason, "budget");
  assert.equal(store.evaluations().length, 4, "starts at 0, 3, 6 and 9 s; at 12 s the budget is spent");
  store.close();
  rmSync(dir, { recursive: true });
});

test("an evaluator that throws is a harness failure; a run of them stops the run as a broken harness", async () => {
  const dir = tmp();
  const store = SqliteStudyStore.create(join(dir, "s.sqlite"), fakeSpec({ budget: { iterations: 20 } }));
  const summary = await runStudy({
    store, searcher: new FakeRandomSearcher(5), maxConsecutiveHarnessErrors: 3,
    evaluate: async () => { throw new Error("qemu-system-x86_64: not found"); },
  });
  assert.equal(summary.reason, "harness-broken");
  const evs = store.evaluations();
  assert.equal(evs.length, 3);
  assert.ok(evs.every((e) => e.outcome!.ok === false && e.outcome!.phase === "harness" && /not found/.test(e.outcome!.evidence!)));
  store.close();
  rmSync(dir, { recursive: true });
});

test("interrupt (abort) mid-evaluation, then resume: the in-flight evaluation is re-run once, nothing lost or duplicated", async () => {
  const dir = tmp();
  const file = join(dir, "s.sqlite");
  let store = SqliteStudyStore.create(file, fakeSpec({ budget: { iterations: 8 } }));
  const ac = new AbortController();
  let started = 0;
  const first = await runStudy({
    store, searcher: new FakeRandomSearcher(9), signal: ac.signal, evaluate: fakeEvaluator({ delayMs: 20 }),
    onStart: () => { if (++started === 4) setTimeout(() => ac.abort(), 5); },
  });
  assert.equal(first.reason, "interrupted");
  let evs = store.evaluations();
  assert.deepEqual(evs.map((e) => e.state), ["done", "done", "done", "in-flight"]);
  const interrupted = evs[3].config;
  store.close();

  store = SqliteStudyStore.open(file);
  const searcher = new FakeRandomSearcher(9);
  const calls: Config[] = [];
  const second = await runStudy({ store, searcher, evaluate: fakeEvaluator({ calls }) });
  assert.equal(second.reason, "budget");
  evs = store.evaluations();
  assert.equal(evs.length, 8);
  assert.ok(evs.every((e) => e.state === "done"));
  assert.deepEqual(calls[0], interrupted, "the interrupted evaluation is re-run first");
  assert.equal(evs[3].attempts, 2);
  assert.equal(evs.filter((e) => e.attempts > 1).length, 1);
  assert.equal(new Set(evs.map((e) => configKey(e.config))).size, 8);
  assert.equal(calls.length, 5, "3 finished evaluations were not run again");
  assert.deepEqual(searcher.told.slice(0, 3).map((o) => o.config), evs.slice(0, 3).map((e) => e.config), "history told first");
  assert.equal(store.sessions().length, 2);
  assert.equal(store.sessions()[0].endReason, "interrupted");
  // A finished study is extended by raising its budget (run --resume --budget N).
  store.setBudget({ iterations: 10 });
  const third = await runStudy({ store, searcher: new FakeRandomSearcher(9), evaluate: fakeEvaluator() });
  assert.equal(third.evaluatedThisSession, 2);
  assert.equal(store.evaluations().length, 10);
  assert.ok(store.events().some((e) => e.kind === "budget"));
  store.close();
  rmSync(dir, { recursive: true });
});

test("SIGKILL of the host process mid-evaluation, then resume in another process: nothing lost or duplicated", async () => {
  const dir = tmp();
  const file = join(dir, "s.sqlite");
  const fixtures = join(process.cwd(), "test/run/fixtures/fake-parts.ts");
  const harness = join(process.cwd(), "harness");
  const script = `
    import { SqliteStudyStore } from ${JSON.stringify(join(harness, "store/index.ts"))};
    import { runStudy } from ${JSON.stringify(join(harness, "run/index.ts"))};
    import { FakeRandomSearcher, fakeEvaluator, fakeSpec } from ${JSON.stringify(fixtures)};
    const store = SqliteStudyStore.create(${JSON.stringify(file)}, fakeSpec({ budget: { iterations: 10 } }));
    await runStudy({ store, searcher: new FakeRandomSearcher(11), evaluate: fakeEvaluator({ delayMs: 150 }),
      onStart: ({ seq }) => { if (seq === 5) process.stdout.write("evaluating 5\\n"); } });
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d) => String(d).includes("evaluating 5") && resolve());
    child.on("exit", (code) => reject(new Error(`child exited early with ${code}`)));
  });
  child.kill("SIGKILL");
  await new Promise((r) => child.on("exit", r));

  const store = SqliteStudyStore.open(file);
  const before = store.evaluations();
  assert.equal(before.length, 6);
  assert.equal(before[5].state, "in-flight");
  const calls: Config[] = [];
  await runStudy({ store, searcher: new FakeRandomSearcher(11), evaluate: fakeEvaluator({ calls }) });
  const after = store.evaluations();
  assert.equal(after.length, 10);
  assert.ok(after.every((e) => e.state === "done"));
  assert.deepEqual(after.slice(0, 5).map((e) => e.finishedAt), before.slice(0, 5).map((e) => e.finishedAt), "finished ones untouched");
  assert.deepEqual(calls[0], before[5].config);
  assert.equal(calls.length, 5);
  assert.equal(new Set(after.map((e) => configKey(e.config))).size, 10);
  assert.ok(store.events().some((e) => e.kind === "rerun-interrupted" && e.seq === 5));
  store.close();
  rmSync(dir, { recursive: true });
});

test("the progress line shows iteration, elapsed, remaining, best with gain, crash rate", () => {
  const line = formatProgressLine({
    seq: 4, config: {}, outcome: { ok: true, value: 110 }, done: 5, budget: { iterations: 20 }, elapsed: 125, remaining: 375,
    best: { seq: 4, value: 110 }, defaultValue: 100, crashRate: 0.2, rerun: false,
  }, "max");
  assert.equal(line, "[5/20]  elapsed 2m05s  remaining ~6m15s  best 110.0 #4 (+10.0% vs default)  crashes 20%");
  assert.throws(() => parseBudget("0"), /positive integer/);
  assert.throws(() => parseBudget("ten"), /"ten" is neither a number of evaluations.*30m/);
  assert.deepEqual(parseBudget("1h30m"), { seconds: 5400 });
});
