/**
 * The worker side of the PostgreSQL work queue, as plain SQL on a connection pool:
 * - claim: `FOR UPDATE SKIP LOCKED`, so concurrent workers never block on or double-claim a task;
 * - heartbeat: a running task belongs to its worker while `heartbeat_at` is fresh;
 * - record: the result row and the task's `done` state are written in one transaction, only by the
 *   worker holding the current attempt (fencing), so each task gets exactly one result;
 * - reap: anyone may re-queue tasks whose worker stopped heartbeating for longer than the task's lease.
 * Times are always the database's `now()`, so clock skew between hosts does not matter.
 */
import type pg from "pg";
import type { Config } from "../../lib/search/searcher";
import type { ClaimedTask, RecordStatus, TaskResult } from "./task";

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  slots: number;
}

export interface ReapReport {
  /** Task ids put back in the queue. */
  requeued: number[];
  /** Task ids given up on after too many lost attempts (recorded as harness failures). */
  failed: number[];
}

interface TaskRow {
  id: string;
  study_id: number;
  seq: number;
  attempt: number;
  evaluator: string;
  config: Config;
  request: unknown;
  lease_seconds: number;
}

export class WorkQueue {
  constructor(readonly pool: pg.Pool) {}

  async registerWorker(info: WorkerInfo): Promise<void> {
    await this.pool.query(
      `INSERT INTO wayfinder.worker (id, host, pid, slots) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL, slots = EXCLUDED.slots`,
      [info.id, info.host, info.pid, info.slots],
    );
  }

  async stopWorker(workerId: string): Promise<void> {
    await this.pool.query("UPDATE wayfinder.worker SET stopped_at = now() WHERE id = $1", [workerId]);
  }

  /** Claim up to `n` queued tasks (oldest first), optionally only of one study. */
  async claim(workerId: string, n: number, studyId?: number): Promise<ClaimedTask[]> {
    if (n <= 0) return [];
    const res = await this.pool.query<TaskRow>(
      `WITH picked AS (
         SELECT id FROM wayfinder.task
         WHERE state = 'queued' AND ($3::int IS NULL OR study_id = $3::int)
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE wayfinder.task t
       SET state = 'running', attempt = t.attempt + 1, worker = $1, claimed_at = now(), heartbeat_at = now()
       FROM picked WHERE t.id = picked.id
       RETURNING t.id, t.study_id, t.seq, t.attempt, t.evaluator, t.config, t.request, t.lease_seconds`,
      [workerId, n, studyId ?? null],
    );
    return res.rows
      .map((r) => ({
        id: Number(r.id),
        studyId: r.study_id,
        seq: r.seq,
        attempt: r.attempt,
        evaluator: r.evaluator,
        config: r.config,
        request: r.request,
        leaseSeconds: r.lease_seconds,
      }))
      .sort((a, b) => a.id - b.id);
  }

  /**
   * Renew the leases of the given running tasks and of the worker itself. Returns the ids still held:
   * a task missing from the answer was re-queued (or finished) behind this worker's back.
   */
  async heartbeat(workerId: string, taskIds: number[]): Promise<Set<number>> {
    const held = new Set<number>();
    if (taskIds.length > 0) {
      const res = await this.pool.query<{ id: string }>(
        `UPDATE wayfinder.task SET heartbeat_at = now()
         WHERE worker = $1 AND state = 'running' AND id = ANY($2::bigint[]) RETURNING id`,
        [workerId, taskIds],
      );
      for (const r of res.rows) held.add(Number(r.id));
    }
    await this.pool.query("UPDATE wayfinder.worker SET heartbeat_at = now() WHERE id = $1", [workerId]);
    return held;
  }

  /**
   * Store the result of `task` (this worker's attempt) exactly once; see RecordStatus. The common case is
   * one statement (one round trip, one commit): the fenced UPDATE and the INSERT of the result in one
   * WITH, which PostgreSQL runs atomically. Only when it matched nothing do we look at why.
   */
  async record(workerId: string, task: Pick<ClaimedTask, "id" | "attempt">, result: TaskResult): Promise<RecordStatus> {
    const stored = await this.pool.query(
      `WITH done AS (
         UPDATE wayfinder.task SET state = 'done', heartbeat_at = NULL
         WHERE id = $1 AND attempt = $2 AND worker = $3 AND state = 'running' RETURNING study_id),
       ins AS (
         INSERT INTO wayfinder.result (task_id, study_id, attempt, worker, outcome, detail, started_at)
         SELECT $1, study_id, $2, $3, $4, $5, $6 FROM done RETURNING study_id)
       SELECT pg_notify('wayfinder_result', study_id::text) FROM ins`,
      [task.id, task.attempt, workerId, JSON.stringify(result.outcome),
        result.detail === undefined ? null : JSON.stringify(result.detail), result.startedAt ?? null],
    );
    if (stored.rowCount === 1) return "recorded";
    const prior = await this.pool.query<{ attempt: number; worker: string }>("SELECT attempt, worker FROM wayfinder.result WHERE task_id = $1", [task.id]);
    if (prior.rows[0]?.attempt === task.attempt && prior.rows[0]?.worker === workerId) return "duplicate";
    await this.pool.query(
      `INSERT INTO wayfinder.event (study_id, seq, kind, detail)
       SELECT study_id, seq, 'late-result-rejected', format('attempt %s by worker %s: its lease had expired', $2::int, $3::text)
       FROM wayfinder.task WHERE id = $1`,
      [task.id, task.attempt, workerId],
    );
    return "rejected";
  }

  /** Give tasks back without a result (graceful shutdown); they do not count as lost. */
  async release(workerId: string, taskIds: number[]): Promise<number> {
    if (taskIds.length === 0) return 0;
    const res = await this.pool.query(
      `UPDATE wayfinder.task SET state = 'queued', worker = NULL, heartbeat_at = NULL, claimed_at = NULL
       WHERE worker = $1 AND state = 'running' AND id = ANY($2::bigint[])`,
      [workerId, taskIds],
    );
    if (res.rowCount) await this.pool.query("SELECT pg_notify('wayfinder_task', '')");
    return res.rowCount ?? 0;
  }

  /**
   * Re-queue running tasks whose lease expired; after `max_lost` losses a task is recorded as a harness
   * failure instead, so a configuration that kills its worker every time cannot stall the study.
   * Nothing is reaped in the first lease period after a database restart: workers that were alive all
   * along need that long to reconnect and heartbeat again.
   */
  async reap(): Promise<ReapReport> {
    const res = await this.pool.query<{ id: string; state: string; study_id: number }>(
      `WITH expired AS (
         SELECT id, worker, lost, max_lost FROM wayfinder.task
         WHERE state = 'running'
           AND heartbeat_at < now() - lease_seconds * interval '1 second'
           AND pg_postmaster_start_time() < now() - lease_seconds * interval '1 second'
         FOR UPDATE SKIP LOCKED),
       upd AS (
         UPDATE wayfinder.task t
         SET state = CASE WHEN e.lost + 1 >= e.max_lost THEN 'done' ELSE 'queued' END,
             lost = t.lost + 1, worker = NULL, heartbeat_at = NULL, claimed_at = NULL
         FROM expired e WHERE t.id = e.id
         RETURNING t.id, t.study_id, t.seq, t.state, t.attempt, t.lost, e.worker AS old_worker),
       ev AS (
         INSERT INTO wayfinder.event (study_id, seq, kind, detail)
         SELECT study_id, seq, CASE WHEN state = 'done' THEN 'evaluation-abandoned' ELSE 'evaluation-requeued' END,
           format('attempt %s: worker %s stopped heartbeating', attempt, old_worker) FROM upd),
       failed AS (
         INSERT INTO wayfinder.result (task_id, study_id, attempt, worker, outcome)
         SELECT id, study_id, attempt, 'reaper', jsonb_build_object('ok', false, 'phase', 'harness', 'evidence',
           format('evaluation lost %s times: worker %s stopped heartbeating', lost, old_worker))
         FROM upd WHERE state = 'done')
       SELECT id, state, study_id FROM upd`,
    );
    const report: ReapReport = { requeued: [], failed: [] };
    for (const r of res.rows) (r.state === "done" ? report.failed : report.requeued).push(Number(r.id));
    if (report.requeued.length > 0) await this.pool.query("SELECT pg_notify('wayfinder_task', '')");
    for (const studyId of new Set(res.rows.filter((r) => r.state === "done").map((r) => r.study_id))) {
      await this.pool.query("SELECT pg_notify('wayfinder_result', $1)", [String(studyId)]);
    }
    return report;
  }
}
