/**
 * The PostgreSQL work queue against a real PostgreSQL 15 server started by this test (private cluster on
 * a loopback port): claiming, heartbeats, exactly-once recording, re-queueing of dead workers' tasks and
 * the one-coordinator-per-study guard, and the study read back through the StudyStore interface.
 * Evaluations here are simulated (no VM): the queue is the subject.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { WayfinderError } from "../../lib/errors";
import { openPool } from "../../harness/queue/connection";
import { startLocalCluster, type LocalCluster } from "../../harness/queue/local-cluster";
import { PostgresStudySnapshot } from "../../harness/queue/postgres-study-snapshot";
import { runStudyOnQueue } from "../../harness/queue/run-on-queue";
import { StudyCoordinator } from "../../harness/queue/study-coordinator";
import { bestEvaluation } from "../../harness/run/run-study";
import type { StudySpec } from "../../harness/store/study-store";
import type { Config, Searcher } from "../../lib/search/searcher";
import { WorkQueue } from "../../harness/queue/work-queue";

let cluster: LocalCluster;
let pool: pg.Pool;
let queue: WorkQueue;

before(async () => {
  cluster = await startLocalCluster();
  pool = openPool(cluster.url);
  queue = new WorkQueue(pool);
});

after(async () => {
  await pool?.end();
  cluster?.dispose();
});

const simulated = (i: number) => ({ seq: i, config: { x: i }, evaluator: "simulated", request: { value: i } });

test("concurrent claims never hand one task to two workers (SKIP LOCKED)", async () => {
  const coord = await StudyCoordinator.open({ url: cluster.url, study: "claims", spec: {} });
  try {
    const ids = await coord.enqueue(Array.from({ length: 40 }, (_, i) => simulated(i)));
    // Enqueueing the same positions again (a retry after a lost acknowledgement) changes nothing.
    const again = await coord.enqueue(Array.from({ length: 40 }, (_, i) => simulated(i)));
    assert.deepEqual([...again.entries()].sort(), [...ids.entries()].sort());
    assert.equal((await coord.tasks()).length, 40);
    const claims = await Promise.all(Array.from({ length: 8 }, (_, w) => queue.claim(`w${w}`, 10, coord.studyId)));
    const claimed = claims.flat().map((t) => t.id);
    assert.equal(claimed.length, 40, "all 40 tasks claimed");
    assert.equal(new Set(claimed).size, 40, "no task claimed twice");
    assert.ok(claims.flat().every((t) => t.attempt === 1));
    assert.deepEqual(await queue.claim("late", 5, coord.studyId), [], "nothing left to claim");
  } finally {
    await coord.close();
  }
});

test("a result is recorded once; a repeated record is a duplicate; a result after losing the lease is rejected", async () => {
  const coord = await StudyCoordinator.open({ url: cluster.url, study: "exactly-once", spec: {} });
  try {
    await coord.enqueue([simulated(0), simulated(1)], { leaseSeconds: 1 });
    const [a, b] = await queue.claim("worker-a", 2, coord.studyId);
    const ok = { outcome: { ok: true as const, value: 42 } };
    assert.equal(await queue.record("worker-a", a, ok), "recorded");
    assert.equal(await queue.record("worker-a", a, ok), "duplicate", "a retry after a lost acknowledgement is harmless");
    assert.equal(await queue.record("worker-b", a, ok), "rejected", "another worker cannot record a task it does not hold");

    // b's worker stops heartbeating: after the 1 s lease the task is re-queued and claimed by worker-c.
    await sleep(1300);
    const reaped = await queue.reap();
    assert.deepEqual(reaped.requeued, [b.id]);
    const [b2] = await queue.claim("worker-c", 1, coord.studyId);
    assert.equal(b2.id, b.id);
    assert.equal(b2.attempt, 2);
    assert.equal(await queue.record("worker-a", b, { outcome: { ok: true, value: -1 } }), "rejected", "late result of the presumed-dead worker");
    assert.equal(await queue.record("worker-c", b2, { outcome: { ok: true, value: 7 } }), "recorded");

    const tasks = await coord.tasks();
    assert.deepEqual(tasks.map((t) => [t.seq, t.state, t.result?.outcome]), [
      [0, "done", { ok: true, value: 42 }],
      [1, "done", { ok: true, value: 7 }],
    ]);
    const results = await pool.query("SELECT count(*)::int AS n FROM wayfinder.result WHERE study_id = $1", [coord.studyId]);
    assert.equal(results.rows[0].n, 2, "exactly one result row per task");
    const events = await pool.query("SELECT kind FROM wayfinder.event WHERE study_id = $1 ORDER BY id", [coord.studyId]);
    assert.deepEqual(events.rows.map((r) => r.kind), ["late-result-rejected", "evaluation-requeued", "late-result-rejected"]);
  } finally {
    await coord.close();
  }
});

test("heartbeats keep a task; a task lost max_lost times becomes a harness failure instead of looping", async () => {
  const coord = await StudyCoordinator.open({ url: cluster.url, study: "lost", spec: {} });
  try {
    await coord.enqueue([simulated(0), simulated(1)], { leaseSeconds: 0.6, maxLost: 2 });
    const [kept, doomed] = await queue.claim("beating", 2, coord.studyId);
    // Only `kept` is heartbeaten; `doomed` expires.
    for (let i = 0; i < 4; i++) {
      await sleep(250);
      assert.deepEqual([...(await queue.heartbeat("beating", [kept.id]))], [kept.id]);
    }
    assert.deepEqual((await queue.reap()).requeued, [doomed.id]);
    const held = await queue.heartbeat("beating", [kept.id, doomed.id]);
    assert.deepEqual([...held], [kept.id], "the worker learns that it lost the re-queued task");
    const [again] = await queue.claim("second", 1, coord.studyId);
    assert.equal(again.id, doomed.id);
    for (let i = 0; i < 4; i++) {
      await sleep(200);
      await queue.heartbeat("beating", [kept.id]);
    }
    const second = await queue.reap();
    assert.deepEqual(second, { requeued: [], failed: [doomed.id] });
    const [t] = (await coord.tasks()).filter((x) => x.id === doomed.id);
    assert.equal(t.state, "done");
    assert.equal(t.result?.worker, "reaper");
    assert.deepEqual({ ...t.result?.outcome, evidence: undefined }, { ok: false, phase: "harness", evidence: undefined });
    assert.match((t.result!.outcome as { evidence: string }).evidence, /lost 2 times: worker second stopped heartbeating/);
  } finally {
    await coord.close();
  }
});

test("a second coordinator on the same study is refused with a clear error, and takes over once the first is gone", async () => {
  const first = await StudyCoordinator.open({ url: cluster.url, study: "guarded", spec: {}, holder: "host-a:111" });
  let second: StudyCoordinator | undefined;
  try {
    await assert.rejects(
      StudyCoordinator.open({ url: cluster.url, study: "guarded", spec: {}, holder: "host-b:222" }),
      (err: unknown) =>
        err instanceof WayfinderError && /study "guarded" already has a running coordinator \(host-a:111, since .*\)/.test(err.message),
    );
    await first.close();
    second = await StudyCoordinator.open({ url: cluster.url, study: "guarded", mode: "resume", holder: "host-b:222" });
    assert.equal(second.studyId, first.studyId);
  } finally {
    await first.close();
    await second?.close();
  }
});

test("bad store URLs and study names are clear errors", async () => {
  await assert.rejects(StudyCoordinator.open({ url: "mysql://x/y", study: "s", spec: {} }), /--store "mysql:\/\/x\/y" is not a PostgreSQL URL/);
  await assert.rejects(StudyCoordinator.open({ url: cluster.url, study: "no spaces", spec: {} }), /study name "no spaces" must be/);
  await assert.rejects(StudyCoordinator.open({ url: cluster.url, study: "missing", mode: "resume" }), /study "missing" does not exist/);
});

test("a PostgreSQL study reads back through the StudyStore interface (what best/export use), read-only", async () => {
  const spec: StudySpec = {
    name: "snap", jobText: "name: snap\n", jobPath: "snap.yaml", job: { name: "snap" }, searcher: "fixture", seed: 1, repeats: 1,
    budget: { iterations: 4 }, objective: "v", direction: "max", defaultConfig: { x: 0 },
  };
  const coord = await StudyCoordinator.open({ url: cluster.url, study: "snap", spec });
  let next = 1;
  const searcher: Searcher = {
    name: "fixture", direction: "max",
    ask: async (k = 1) => Array.from({ length: k }, (): Config => ({ x: next++ })),
    tell: async () => undefined,
  };
  // An in-process worker: claims and records with values 10 * x, so the best is the last configuration.
  const stop = new AbortController();
  const worker = (async () => {
    while (!stop.signal.aborted) {
      for (const t of await queue.claim("w-snap", 4, coord.studyId)) {
        await queue.record("w-snap", t, { outcome: { ok: true, value: 10 * Number(t.config.x) }, detail: { metrics: { v: 10 * Number(t.config.x) }, logExcerpt: "ok" } });
      }
      await sleep(50);
    }
  })();
  try {
    const summary = await runStudyOnQueue({
      coordinator: coord, searcher, budget: spec.budget, direction: "max", defaultConfig: spec.defaultConfig, parallel: 2, pollMs: 100,
      task: () => ({ evaluator: "simulated", request: {} }),
    });
    assert.equal(summary.reason, "budget");
  } finally {
    stop.abort();
    await worker;
    await coord.close();
  }
  const snap = await PostgresStudySnapshot.load(cluster.url, "snap");
  assert.equal(snap.info().name, "snap");
  assert.deepEqual(snap.info().budget, { iterations: 4 });
  const evals = snap.evaluations();
  assert.deepEqual(evals.map((e) => [e.seq, e.state, e.isDefault, e.config.x, e.outcome]), [
    [0, "done", true, 0, { ok: true, value: 0 }],
    [1, "done", false, 1, { ok: true, value: 10 }],
    [2, "done", false, 2, { ok: true, value: 20 }],
    [3, "done", false, 3, { ok: true, value: 30 }],
  ]);
  assert.deepEqual(evals[3].metrics, { v: 30 });
  assert.equal(evals[3].logExcerpt, "ok");
  assert.equal(bestEvaluation(evals, "max")?.seq, 3);
  assert.deepEqual(snap.sessions().map((s) => s.endReason), ["budget"]);
  assert.deepEqual(snap.events().map((e) => e.kind), ["session-start", "session-end"]);
  assert.throws(() => snap.recordResult(), /read-only snapshot of a PostgreSQL study/);
  await assert.rejects(PostgresStudySnapshot.load(cluster.url, "nope"), /study "nope" does not exist in postgres:\/\/.*; studies there: .*snap/);
});
