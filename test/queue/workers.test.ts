/**
 * Many hosts on one machine: `wayfinder worker` processes and coordinator processes against a real
 * PostgreSQL 15 server started by this test. Evaluations are SIMULATED (sleep + a config-derived value,
 * no VM): these tests are about the queue surviving killed workers, a killed coordinator, a database
 * restart and a second coordinator.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type pg from "pg";
import { readFileSync } from "node:fs";
import { readCpuTopology } from "../../harness/queue/cpu-topology";
import { openPool } from "../../harness/queue/connection";
import { startLocalCluster, type LocalCluster } from "../../harness/queue/local-cluster";
import { exitOf, killAll, startCoordinator, startWorker, waitFor } from "./processes";

let cluster: LocalCluster;
let pool: pg.Pool;

before(async () => {
  cluster = await startLocalCluster();
  pool = openPool(cluster.url);
});

after(async () => {
  killAll();
  await pool?.end();
  cluster?.dispose();
});

async function studyRows(study: string) {
  const r = await pool.query(
    `SELECT t.seq, t.state, t.config, t.attempt, t.lost, r.worker, r.attempt AS r_attempt, r.outcome
     FROM wayfinder.task t JOIN wayfinder.study s ON s.id = t.study_id
     LEFT JOIN wayfinder.result r ON r.task_id = t.id WHERE s.name = $1 ORDER BY t.seq`,
    [study],
  );
  return r.rows as Array<{ seq: number; state: string; config: { x: number }; attempt: number; lost: number; worker: string | null; r_attempt: number | null; outcome: unknown }>;
}

async function resultCount(study: string): Promise<number> {
  const r = await pool.query("SELECT count(*)::int AS n FROM wayfinder.result r JOIN wayfinder.study s ON s.id = r.study_id WHERE s.name = $1", [study]);
  return r.rows[0].n;
}

function summaryOf(output: string): Record<string, unknown> {
  const line = output.split("\n").find((l) => l.includes('"event":"summary"'));
  assert.ok(line, `no summary line in coordinator output:\n${output}`);
  return JSON.parse(line);
}

function assertComplete(rows: Awaited<ReturnType<typeof studyRows>>, n: number): void {
  assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: n }, (_, i) => i), "positions 0..n-1, no gap, no duplicate");
  assert.ok(rows.every((r) => r.state === "done" && r.outcome), "every evaluation has its result");
  assert.equal(new Set(rows.map((r) => r.config.x)).size, n, "no configuration enqueued twice");
  assert.ok(rows.every((r) => r.r_attempt === r.attempt), "each result belongs to the attempt that held the task");
}

test("simulated evaluations: 3 worker processes share a 12-evaluation study, each result recorded once", async () => {
  const workers = [startWorker(cluster.url, 2, "--idle-exit", "3"), startWorker(cluster.url, 2, "--idle-exit", "3"), startWorker(cluster.url, 1, "--idle-exit", "3")];
  const coord = startCoordinator(cluster.url, "shared", 12, 150, "auto", 5);
  assert.equal(await exitOf(coord, "coordinator", 60_000), 0, coord.output());
  const s = summaryOf(coord.output());
  assert.equal(s.reason, "budget");
  assert.equal(s.collected, 12);
  assert.equal(s.told, 12, "the searcher was told every result once");
  const rows = await studyRows("shared");
  assertComplete(rows, 12);
  assert.equal(await resultCount("shared"), 12);
  const byWorker = new Set(rows.map((r) => r.worker));
  assert.ok(byWorker.size >= 2, `work spread over several worker processes, got ${[...byWorker].join(", ")}`);
  for (const w of workers) assert.equal(await exitOf(w, "worker", 20_000), 0, w.output());
});

test("simulated evaluations: a worker killed with SIGKILL mid-evaluation has its task re-queued after the lease, recorded once", async () => {
  const early = startWorker(cluster.url, 1, "--study", "no-such-study");
  assert.equal(await exitOf(early, "worker for an unknown study", 30_000), 2);
  assert.match(early.output(), /error: --study "no-such-study": no such study in the store/);
  const coord = startCoordinator(cluster.url, "sigkill", 4, 2000, 2, 1.5);
  await waitFor("the study to exist", async () => (await pool.query("SELECT 1 FROM wayfinder.study WHERE name = 'sigkill'")).rowCount === 1, 30_000);
  const victim = startWorker(cluster.url, 2, "--study", "sigkill");
  const victimTasks = await waitFor(
    "the victim worker to be mid-evaluation",
    async () => {
      const r = await pool.query("SELECT id, seq FROM wayfinder.task WHERE state = 'running' AND worker LIKE $1", [`%:${victim.pid}:%`]);
      return r.rows.length > 0 ? r.rows : undefined;
    },
    30_000,
  );
  victim.child.kill("SIGKILL");
  await victim.exited;
  // Idle for long enough: on a quiet machine the rescuer starts at once, finds nothing to claim (the
  // victim's evaluations are still leased) and, with a 3 s idle-exit, once left before they were re-queued.
  const rescuer = startWorker(cluster.url, 2, "--study", "sigkill", "--idle-exit", "10");
  assert.equal(await exitOf(coord, "coordinator", 90_000), 0, coord.output());
  const rows = await studyRows("sigkill");
  assertComplete(rows, 4);
  assert.equal(await resultCount("sigkill"), 4);
  for (const t of victimTasks) {
    const row = rows.find((r) => r.seq === t.seq)!;
    assert.equal(row.lost, 1, `task ${t.seq} was lost once`);
    assert.equal(row.attempt, 2, `task ${t.seq} ran a second time`);
    assert.doesNotMatch(row.worker!, new RegExp(`:${victim.pid}:`), "recorded by the surviving worker");
  }
  const ev = await pool.query("SELECT count(*)::int AS n FROM wayfinder.event e JOIN wayfinder.study s ON s.id = e.study_id WHERE s.name = 'sigkill' AND kind = 'evaluation-requeued'");
  assert.equal(ev.rows[0].n, victimTasks.length);
  assert.equal(await exitOf(rescuer, "rescuer", 20_000), 0, rescuer.output());
});

test("simulated evaluations: the coordinator killed and restarted resumes with nothing lost and nothing enqueued twice", async () => {
  const workers = [startWorker(cluster.url, 2, "--idle-exit", "4"), startWorker(cluster.url, 1, "--idle-exit", "4")];
  const first = startCoordinator(cluster.url, "restart", 8, 1000, 3, 5);
  await waitFor("3 results and more in flight", async () => {
    const rows = await studyRows("restart");
    return rows.filter((r) => r.state === "done").length >= 3 && rows.some((r) => r.state !== "done");
  }, 30_000);
  // Freeze the workers so the evaluations the coordinator leaves in flight are still in flight when the
  // new one starts (its start-up time varies); they thaw once it has taken over.
  for (const w of workers) w.child.kill("SIGSTOP");
  first.child.kill("SIGKILL");
  await first.exited;
  const snapshot = await studyRows("restart");
  const leftBehind = snapshot.filter((r) => r.state !== "done").length;
  assert.ok(leftBehind > 0, `the killed coordinator left evaluations in flight: ${JSON.stringify(snapshot)}\n${first.output()}`);
  const second = startCoordinator(cluster.url, "restart", 8, 1000, 3, 5);
  await waitFor("the new coordinator to resume", async () => /resuming: \d+ results recorded, \d+ evaluations still in the queue/.test(second.output()), 30_000);
  for (const w of workers) w.child.kill("SIGCONT");
  assert.equal(await exitOf(second, "restarted coordinator", 60_000), 0, second.output());
  const s = summaryOf(second.output());
  assert.equal(s.reason, "budget");
  assert.equal(s.told, 8, "the restarted coordinator's searcher learnt all 8 results");
  assertComplete(await studyRows("restart"), 8);
  assert.equal(await resultCount("restart"), 8);
  const sessions = await pool.query("SELECT end_reason FROM wayfinder.session se JOIN wayfinder.study s ON s.id = se.study_id WHERE s.name = 'restart' ORDER BY se.id");
  assert.deepEqual(sessions.rows.map((r) => r.end_reason), [null, "budget"], "the killed session never ended; the second ended on budget");
  for (const w of workers) assert.equal(await exitOf(w, "worker", 20_000), 0, w.output());
});

test("simulated evaluations: the database restarted during a run; workers and coordinator reconnect and finish", async () => {
  const workers = [startWorker(cluster.url, 2, "--idle-exit", "4"), startWorker(cluster.url, 2, "--idle-exit", "4")];
  const coord = startCoordinator(cluster.url, "db-restart", 10, 600, 4, 4);
  await waitFor("4 results", async () => (await resultCount("db-restart")) >= 4, 30_000);
  cluster.stop("fast");
  await new Promise((r) => setTimeout(r, 1500)); // evaluations keep running while the database is down
  cluster.start();
  assert.equal(await exitOf(coord, "coordinator", 90_000), 0, coord.output());
  assert.match(coord.output(), /reconnect/);
  assertComplete(await studyRows("db-restart"), 10);
  assert.equal(await resultCount("db-restart"), 10);
  for (const w of workers) {
    assert.equal(await exitOf(w, "worker", 20_000), 0, w.output());
    assert.match(w.output(), /database unreachable/);
  }
});

test("two coordinators pointed at one study: the second stops with a clear error naming the first", async () => {
  const first = startCoordinator(cluster.url, "twice", 2, 100, 1, 5);
  await waitFor("the first coordinator's lock", async () => {
    const r = await pool.query("SELECT 1 FROM wayfinder.coordinator c JOIN wayfinder.study s ON s.id = c.study_id WHERE s.name = 'twice'");
    return r.rowCount === 1;
  }, 30_000);
  const second = startCoordinator(cluster.url, "twice", 2, 100, 1, 5);
  assert.equal(await exitOf(second, "second coordinator", 30_000), 2);
  assert.match(second.output(), new RegExp(`error: study "twice" already has a running coordinator \\([^)]*:${first.pid}, since`));
  first.child.kill("SIGTERM");
  await exitOf(first, "first coordinator", 30_000);
});

test("simulated evaluations: worker --slots 2 --pin runs one process per slot, each pinned to its own CPU", async (t) => {
  if (readCpuTopology().length < 2) {
    t.skip("this machine lets the test use fewer than 2 CPUs, so two slots cannot be pinned apart");
    return;
  }
  const coord = startCoordinator(cluster.url, "pinned", 2, 2000, 2, 5);
  const pinned = startWorker(cluster.url, 2, "--pin", "--idle-exit", "3");
  const running = await waitFor("two pinned slots evaluating", async () => {
    const r = await pool.query("SELECT worker FROM wayfinder.task t JOIN wayfinder.study s ON s.id = t.study_id WHERE s.name = 'pinned' AND state = 'running'");
    return r.rows.length === 2 ? r.rows.map((x) => Number(x.worker.split(":")[1])) : undefined;
  }, 30_000);
  const allowed = running.map((pid) => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
  assert.ok(allowed.every((a) => /^\d+$/.test(a)), `each slot process is pinned to one CPU: ${allowed.join(" / ")}`);
  assert.notEqual(allowed[0], allowed[1], "the two slots run on different CPUs");
  assert.equal(await exitOf(coord, "coordinator", 60_000), 0, coord.output());
  assert.equal(await exitOf(pinned, "pinned worker", 30_000), 0, pinned.output());
  assert.match(pinned.output(), /slot 0: CPU \d+ \(core [^)]*\)/);
  assert.match(pinned.output(), /\[slot 1 cpu \d+\] .*result recorded/);
  assertComplete(await studyRows("pinned"), 2);
});
