/**
 * A worker: claims up to `slots` tasks at a time from the PostgreSQL queue, runs each with the evaluator
 * its task names, heartbeats while they run and records each result exactly once. It wakes on
 * LISTEN/NOTIFY when tasks are enqueued and polls as a fallback (notifications are lost while
 * disconnected). A database outage does not stop running evaluations: heartbeats and records are
 * retried until the database is back (or `reconnectTimeoutMs` passes). An evaluation whose lease was
 * lost (the worker was presumed dead and the task re-queued) is aborted, since its result would be
 * rejected.
 */
import type pg from "pg";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { WayfinderError, quote } from "../../lib/errors";
import { checkPostgresUrl, isTransientDbError, openClient, openPool, retrying } from "./connection";
import { ensureSchema } from "./schema";
import type { ClaimedTask, RecordStatus, TaskResult } from "./task";
import { getTaskEvaluator, taskEvaluatorKinds } from "./task-evaluator";
import { WorkQueue } from "./work-queue";

export interface QueueWorkerOptions {
  url: string;
  slots: number;
  /** Only claim tasks of this study (by name); default: any study. */
  study?: string;
  /** Heartbeat period (default 2000 ms; never longer than a third of a task's lease). */
  heartbeatMs?: number;
  /** Poll period when no notification arrives (default 1000 ms). */
  pollMs?: number;
  /** How often this worker also re-queues tasks of dead workers (default 5000 ms). */
  reapMs?: number;
  /** Exit after this long with nothing to do (default: never). */
  idleExitMs?: number;
  /** Exit after this many results (default: never). */
  maxTasks?: number;
  /** Give up when the database stays unreachable this long (default 300 s). */
  reconnectTimeoutMs?: number;
  /** Worker id (default host:pid:random); must be unique across hosts. */
  id?: string;
  log?: (line: string) => void;
}

export interface WorkerSummary {
  id: string;
  recorded: number;
  duplicates: number;
  rejected: number;
  lost: number;
  reason: "idle" | "max-tasks" | "stopped";
}

interface Running {
  task: ClaimedTask;
  abort: AbortController;
  lostLease: boolean;
  done: Promise<void>;
}

export class QueueWorker {
  readonly id: string;
  private readonly pool: pg.Pool;
  private readonly queue: WorkQueue;
  private readonly running = new Map<number, Running>();
  private listener: pg.Client | undefined;
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;
  private stopping = false;
  private readonly stats = { recorded: 0, duplicates: 0, rejected: 0, lost: 0 };
  private readonly log: (line: string) => void;

  constructor(private readonly options: QueueWorkerOptions) {
    checkPostgresUrl(options.url);
    if (!Number.isInteger(options.slots) || options.slots < 1 || options.slots > 1024) {
      throw new WayfinderError(`--slots ${quote(options.slots)} must be an integer from 1 to 1024`);
    }
    // Not seeded on purpose: worker ids must differ between hosts and runs, like process ids.
    this.id = options.id ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.pool = openPool(options.url, { max: 3, applicationName: `wayfinder worker ${this.id}` });
    this.queue = new WorkQueue(this.pool);
    this.log = options.log ?? (() => undefined);
  }

  private retry<T>(what: string, op: () => Promise<T>): Promise<T> {
    return retrying(op, {
      timeoutMs: this.options.reconnectTimeoutMs ?? 300_000,
      onRetry: (e, n) => n === 1 && this.log(`${what}: database unreachable (${e.message}); retrying`),
    });
  }

  private wake = (): void => {
    if (this.wakeUp) this.wakeUp();
    else this.pendingWake = true;
  };

  private async sleepUntilWoken(ms: number): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return;
    }
    const ac = new AbortController();
    await new Promise<void>((resolve) => {
      this.wakeUp = () => {
        ac.abort();
        resolve();
      };
      sleep(ms, undefined, { signal: ac.signal }).then(resolve, () => undefined);
    });
    this.wakeUp = undefined;
    this.pendingWake = false;
  }

  /** Keep a LISTEN connection open, reconnecting in the background after the database comes back. */
  private async listen(): Promise<void> {
    while (!this.stopping) {
      try {
        const c = await openClient(this.options.url, "wayfinder worker listener");
        this.listener = c;
        const closed = new Promise<void>((resolve) => {
          c.on("end", resolve);
          c.on("error", () => resolve());
        });
        c.on("notification", this.wake);
        await c.query("LISTEN wayfinder_task");
        this.wake(); // tasks may have been enqueued while we were not listening
        await closed;
      } catch {
        // retried below
      }
      this.listener = undefined;
      if (!this.stopping) await sleep(500);
    }
  }

  private async heartbeatOnce(): Promise<void> {
    const ids = [...this.running.keys()];
    const held = await this.queue.heartbeat(this.id, ids);
    for (const id of ids) {
      const r = this.running.get(id);
      if (r && !held.has(id) && !r.lostLease) {
        r.lostLease = true;
        this.stats.lost++;
        this.log(`task ${id} attempt ${r.task.attempt}: lease lost (re-queued elsewhere); aborting its evaluation`);
        r.abort.abort(new Error("lease lost"));
      }
    }
  }

  private start(task: ClaimedTask): void {
    const abort = new AbortController();
    const entry: Running = { task, abort, lostLease: false, done: Promise.resolve() };
    entry.done = this.execute(entry).finally(() => {
      this.running.delete(task.id);
      this.wake();
    });
    this.running.set(task.id, entry);
  }

  private async execute(entry: Running): Promise<void> {
    const { task } = entry;
    this.log(`task ${task.id} (study ${task.studyId}, seq ${task.seq}) attempt ${task.attempt}: started`);
    const evaluator = getTaskEvaluator(task.evaluator);
    let result: TaskResult;
    if (!evaluator) {
      result = {
        outcome: {
          ok: false,
          phase: "harness",
          evidence: `worker ${this.id} has no evaluator ${quote(task.evaluator)}; it has: ${taskEvaluatorKinds().join(", ")}`,
        },
      };
    } else {
      try {
        result = await evaluator(task, entry.abort.signal);
      } catch (err) {
        if (entry.abort.signal.aborted) {
          if (!entry.lostLease) await this.retry("release", () => this.queue.release(this.id, [task.id])).catch(() => undefined);
          return;
        }
        result = { outcome: { ok: false, phase: "harness", evidence: `evaluator threw: ${(err as Error)?.stack ?? String(err)}`.slice(0, 4000) } };
      }
    }
    if (entry.lostLease) return;
    let status: RecordStatus;
    try {
      status = await this.retry("record", () => this.queue.record(this.id, task, result));
    } catch (err) {
      this.log(`task ${task.id}: could not record the result: ${(err as Error).message}`);
      return;
    }
    if (status === "recorded") this.stats.recorded++;
    else if (status === "duplicate") this.stats.duplicates++;
    else this.stats.rejected++;
    const what = result.outcome.ok ? `value ${result.outcome.value}` : `failed (${result.outcome.phase})`;
    this.log(`task ${task.id} attempt ${task.attempt}: ${what}; result ${status}`);
  }

  /** Ask the worker to finish: running evaluations are aborted and their tasks handed back to the queue. */
  stop(): void {
    this.stopping = true;
    for (const r of this.running.values()) r.abort.abort(new Error("worker stopping"));
    this.wake();
  }

  /** Create the tables if needed, resolve --study, register this worker. Returns the study id filter. */
  private async setUp(): Promise<number | undefined> {
    const o = this.options;
    await this.retry("connect", async () => {
      const c = await this.pool.connect();
      try {
        await ensureSchema(c);
      } finally {
        c.release();
      }
    });
    let studyId: number | undefined;
    if (o.study !== undefined) {
      const r = await this.retry("find study", () => this.pool.query<{ id: number }>("SELECT id FROM wayfinder.study WHERE name = $1", [o.study]));
      if (!r.rows[0]) throw new WayfinderError(`--study ${quote(o.study)}: no such study in the store (a coordinator creates it with "wayfinder run")`);
      studyId = r.rows[0].id;
    }
    await this.retry("register", () => this.queue.registerWorker({ id: this.id, host: hostname(), pid: process.pid, slots: o.slots }));
    return studyId;
  }

  async run(): Promise<WorkerSummary> {
    const o = this.options;
    const heartbeatMs = o.heartbeatMs ?? 2000;
    const pollMs = o.pollMs ?? 1000;
    const reapMs = o.reapMs ?? 5000;
    let studyId: number | undefined;
    try {
      studyId = await this.setUp();
    } catch (err) {
      await this.pool.end().catch(() => undefined);
      throw err;
    }
    this.log(`worker ${this.id}: ${o.slots} slot(s), evaluators: ${taskEvaluatorKinds().join(", ")}`);
    const listening = this.listen();

    let lastBeat = 0;
    let lastReap = 0;
    let idleSince = Date.now();
    let reason: WorkerSummary["reason"] = "stopped";
    let dbError: unknown;
    // Heartbeats run on their own timer so a slow claim or record never delays them.
    const beat = setInterval(() => {
      const leaseMs = Math.min(...[...this.running.values()].map((r) => r.task.leaseSeconds * 1000), Infinity);
      if (Date.now() - lastBeat < Math.min(heartbeatMs, leaseMs / 3)) return;
      lastBeat = Date.now();
      this.heartbeatOnce().catch(() => undefined); // transient: the lease absorbs missed beats
    }, Math.max(50, Math.min(heartbeatMs, 1000) / 2));
    try {
      while (!this.stopping) {
        const total = this.stats.recorded + this.stats.duplicates + this.stats.rejected;
        if (o.maxTasks !== undefined && total + this.running.size >= o.maxTasks) {
          if (this.running.size === 0) {
            reason = "max-tasks";
            break;
          }
        } else {
          if (Date.now() - lastReap >= reapMs) {
            lastReap = Date.now();
            const reaped = await this.queue.reap().catch((e) => (isTransientDbError(e) ? undefined : Promise.reject(e)));
            if (reaped?.requeued.length) this.log(`re-queued tasks of dead workers: ${reaped.requeued.join(", ")}`);
            if (reaped?.failed.length) this.log(`gave up on tasks lost too often: ${reaped.failed.join(", ")}`);
          }
          let free = o.slots - this.running.size;
          if (o.maxTasks !== undefined) free = Math.min(free, o.maxTasks - total - this.running.size);
          if (free > 0) {
            const claimed = await this.retry("claim", () => this.queue.claim(this.id, free, studyId));
            for (const t of claimed) this.start(t);
          }
        }
        if (this.running.size > 0) idleSince = Date.now();
        else if (o.idleExitMs !== undefined && Date.now() - idleSince >= o.idleExitMs) {
          reason = "idle";
          break;
        }
        await this.sleepUntilWoken(pollMs);
      }
    } catch (err) {
      dbError = err;
    } finally {
      this.stopping = true;
      clearInterval(beat);
      for (const r of this.running.values()) r.abort.abort(new Error("worker stopping"));
      await Promise.all([...this.running.values()].map((r) => r.done));
      await this.queue.stopWorker(this.id).catch(() => undefined);
      await this.listener?.end().catch(() => undefined);
      await listening;
      await this.pool.end().catch(() => undefined);
    }
    if (dbError) throw dbError;
    return { id: this.id, ...this.stats, reason };
  }
}
