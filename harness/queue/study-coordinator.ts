/**
 * The coordinator's connection to a study in the PostgreSQL store. Everything the coordinator writes goes
 * through the one session that holds the study's advisory lock, so a coordinator that lost its session
 * (database restart) cannot write anything until it has reconnected and taken the lock again: if another
 * coordinator took over meanwhile, this one stops with an error instead of enqueueing duplicates.
 * Every operation is safe to repeat (enqueue is keyed by position), so it is retried across reconnects.
 */
import type pg from "pg";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { WayfinderError, quote } from "../../lib/errors";
import type { Config, Outcome } from "../../lib/search/searcher";
import { checkPostgresUrl, isTransientDbError, openClient, openPool, redactUrl, retrying } from "./connection";
import { acquireCoordinatorLease } from "./coordinator-lease";
import { ensureSchema } from "./schema";
import type { StudyTask, TaskSpec } from "./task";
import { WorkQueue, type ReapReport } from "./work-queue";

export type OpenMode = "create" | "resume" | "auto";

export interface OpenCoordinatorOptions {
  url: string;
  study: string;
  /** Stored with a new study (e.g. the StudySpec of the run); required unless mode is "resume". */
  spec?: unknown;
  /** create: the study must not exist; resume: it must exist; auto: either (default). */
  mode?: OpenMode;
  /** Who this coordinator is, shown to a second coordinator (default host:pid). */
  holder?: string;
  /** Give up when the database stays unreachable this long (default 120 s). */
  reconnectTimeoutMs?: number;
  onNote?: (note: string) => void;
}

export interface EnqueueItem extends TaskSpec {
  seq: number;
  isDefault?: boolean;
}

export interface EnqueueOptions {
  /** A running task whose worker has not heartbeaten for this long is re-queued (default 30 s). */
  leaseSeconds?: number;
  /** Give up on a task (record a harness failure) after its worker was lost this many times (default 3). */
  maxLost?: number;
  sessionId?: number;
}

interface TaskRow {
  id: string;
  seq: number;
  state: StudyTask["state"];
  config: Config;
  attempt: number;
  lost: number;
  outcome: Outcome | null;
  detail: unknown;
  r_worker: string | null;
  r_attempt: number | null;
}

function toTask(r: TaskRow): StudyTask {
  const t: StudyTask = { id: Number(r.id), seq: r.seq, state: r.state, config: r.config, attempt: r.attempt, lost: r.lost };
  if (r.outcome) t.result = { outcome: r.outcome, detail: r.detail ?? undefined, worker: r.r_worker!, attempt: r.r_attempt! };
  return t;
}

const taskColumns = `t.id, t.seq, t.state, t.config, t.attempt, t.lost, r.outcome, r.detail, r.worker AS r_worker, r.attempt AS r_attempt
  FROM wayfinder.task t LEFT JOIN wayfinder.result r ON r.task_id = t.id`;

export class StudyCoordinator {
  private client: pg.Client | undefined;
  private wake: (() => void) | undefined;
  private notified = false;
  private closed = false;
  /** A small pool for the reaper, whose work needs no lock. */
  private readonly reaperPool: pg.Pool;

  private constructor(
    readonly url: string,
    readonly studyName: string,
    readonly studyId: number,
    readonly spec: unknown,
    readonly holder: string,
    private readonly reconnectTimeoutMs: number,
    private readonly onNote: (note: string) => void,
    client: pg.Client,
  ) {
    this.attach(client);
    this.reaperPool = openPool(url, { max: 1, applicationName: "wayfinder reaper" });
  }

  static async open(options: OpenCoordinatorOptions): Promise<StudyCoordinator> {
    const url = checkPostgresUrl(options.url);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(options.study)) {
      throw new WayfinderError(`study name ${quote(options.study)} must be 1-100 letters, digits, dots, dashes or underscores`);
    }
    const mode = options.mode ?? "auto";
    const holder = options.holder ?? `${hostname()}:${process.pid}`;
    const onNote = options.onNote ?? (() => undefined);
    const timeoutMs = options.reconnectTimeoutMs ?? 120_000;
    const client = await retrying(() => openClient(url, "wayfinder coordinator"), { timeoutMs, onRetry: (e) => onNote(`database unreachable (${e.message}); retrying`) });
    try {
      await ensureSchema(client);
      const found = await client.query<{ id: number; spec: unknown }>("SELECT id, spec FROM wayfinder.study WHERE name = $1", [options.study]);
      let id: number;
      let spec: unknown;
      if (found.rows[0]) {
        if (mode === "create") {
          throw new WayfinderError(`study ${quote(options.study)} already exists in ${redactUrl(url)}; resume it or choose another study name`);
        }
        ({ id, spec } = found.rows[0]);
      } else {
        if (mode === "resume") throw new WayfinderError(`study ${quote(options.study)} does not exist in ${redactUrl(url)}`);
        if (options.spec === undefined) throw new WayfinderError(`cannot create study ${quote(options.study)} without its specification`);
        const ins = await client.query<{ id: number }>(
          `INSERT INTO wayfinder.study (name, spec) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id`,
          [options.study, JSON.stringify(options.spec)],
        );
        // Lost a creation race against another coordinator: the lock below decides who runs.
        const row = ins.rows[0] ?? (await client.query<{ id: number }>("SELECT id FROM wayfinder.study WHERE name = $1", [options.study])).rows[0];
        id = row.id;
        spec = options.spec;
      }
      await acquireCoordinatorLease(client, id, options.study, holder);
      return new StudyCoordinator(url, options.study, id, spec, holder, timeoutMs, onNote, client);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  private attach(client: pg.Client): void {
    this.client = client;
    client.on("notification", () => {
      this.notified = true;
      this.wake?.();
    });
    client.on("error", () => {
      // The next use() notices the dead connection and reconnects.
    });
    void client.query("LISTEN wayfinder_result").catch(() => undefined);
  }

  /** Run `fn` on the lock-holding session, reconnecting (and re-taking the lock) after transient failures. */
  private async use<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error("coordinator is closed");
    return retrying(
      async () => {
        if (!this.client) {
          const c = await openClient(this.url, "wayfinder coordinator");
          try {
            await acquireCoordinatorLease(c, this.studyId, this.studyName, this.holder);
          } catch (err) {
            await c.end().catch(() => undefined);
            throw err;
          }
          this.attach(c);
          this.onNote("reconnected to the database and took the coordinator lock again");
        }
        const c = this.client!;
        try {
          return await fn(c);
        } catch (err) {
          if (isTransientDbError(err)) {
            this.client = undefined;
            await c.end().catch(() => undefined);
          }
          throw err;
        }
      },
      { timeoutMs: this.reconnectTimeoutMs, onRetry: (e, n) => n === 1 && this.onNote(`database connection lost (${e.message}); reconnecting`) },
    );
  }

  /** All tasks of the study in position order, with their results when recorded. */
  tasks(): Promise<StudyTask[]> {
    return this.use(async (c) => (await c.query<TaskRow>(`SELECT ${taskColumns} WHERE t.study_id = $1 ORDER BY t.seq`, [this.studyId])).rows.map(toTask));
  }

  /** The given tasks that have a result now. */
  finished(ids: number[]): Promise<StudyTask[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.use(async (c) =>
      (await c.query<TaskRow>(`SELECT ${taskColumns} WHERE t.id = ANY($1::bigint[]) AND r.task_id IS NOT NULL ORDER BY t.seq`, [ids])).rows.map(toTask),
    );
  }

  /** Enqueue evaluations; a position already enqueued is left as it is (so a retry cannot duplicate). Returns task ids by seq. */
  enqueue(items: EnqueueItem[], options: EnqueueOptions = {}): Promise<Map<number, number>> {
    const lease = options.leaseSeconds ?? 30;
    const maxLost = options.maxLost ?? 3;
    return this.use(async (c) => {
      // One statement, one commit: the rows as a JSON array, notification included (sent on commit).
      const rows = items.map((it) => ({ seq: it.seq, evaluator: it.evaluator, config: it.config, request: it.request ?? null, is_default: it.isDefault ?? false }));
      const ins = await c.query<{ id: string; seq: number }>(
        `WITH ins AS (
           INSERT INTO wayfinder.task (study_id, seq, evaluator, config, request, is_default, session_id, lease_seconds, max_lost)
           SELECT $1, x.seq, x.evaluator, x.config, coalesce(x.request, 'null'::jsonb), x.is_default, $3, $4, $5
           FROM jsonb_to_recordset($2::jsonb) AS x(seq int, evaluator text, config jsonb, request jsonb, is_default boolean)
           ON CONFLICT (study_id, seq) DO NOTHING RETURNING id, seq)
         SELECT id, seq, pg_notify('wayfinder_task', $1::text) FROM ins`,
        [this.studyId, JSON.stringify(rows), options.sessionId ?? null, lease, maxLost],
      );
      const ids = new Map(ins.rows.map((r) => [r.seq, Number(r.id)]));
      if (ids.size < items.length) {
        // A retry after an ambiguous failure: the positions already enqueued keep their tasks.
        const prior = await c.query<{ id: string; seq: number }>(
          "SELECT id, seq FROM wayfinder.task WHERE study_id = $1 AND seq = ANY($2::int[])",
          [this.studyId, items.map((i) => i.seq)],
        );
        for (const r of prior.rows) ids.set(r.seq, Number(r.id));
      }
      return ids;
    });
  }

  /** Replace the stored study specification (e.g. a new budget on resume); returns it. */
  async updateSpec<T>(spec: T): Promise<T> {
    await this.use((c) => c.query("UPDATE wayfinder.study SET spec = $2 WHERE id = $1", [this.studyId, JSON.stringify(spec)]));
    (this as { spec: unknown }).spec = spec;
    return spec;
  }

  /** Total slots of workers that heartbeated within `freshSeconds` (what the coordinator keeps busy). */
  liveSlots(freshSeconds = 15): Promise<number> {
    return this.use(async (c) => {
      const r = await c.query<{ slots: string | null }>(
        `SELECT sum(slots) AS slots FROM wayfinder.worker
         WHERE stopped_at IS NULL AND heartbeat_at > now() - $1 * interval '1 second'`,
        [freshSeconds],
      );
      return Number(r.rows[0].slots ?? 0);
    });
  }

  /** Re-queue tasks of dead workers (any study: every coordinator and worker helps). */
  reap(): Promise<ReapReport> {
    return retrying(() => new WorkQueue(this.reaperPool).reap(), { timeoutMs: this.reconnectTimeoutMs });
  }

  beginSession(pid: number, host: string): Promise<number> {
    return this.use(async (c) => {
      const r = await c.query<{ id: number }>(
        "INSERT INTO wayfinder.session (study_id, pid, host) VALUES ($1, $2, $3) RETURNING id",
        [this.studyId, pid, host],
      );
      await c.query("INSERT INTO wayfinder.event (study_id, session_id, kind, detail) VALUES ($1, $2, 'session-start', $3)", [
        this.studyId, r.rows[0].id, `${host}:${pid}`,
      ]);
      return r.rows[0].id;
    });
  }

  touchSession(id: number): Promise<void> {
    return this.use(async (c) => {
      await c.query("UPDATE wayfinder.session SET last_seen_at = now() WHERE id = $1", [id]);
    });
  }

  endSession(id: number, reason: string): Promise<void> {
    return this.use(async (c) => {
      await c.query("UPDATE wayfinder.session SET ended_at = now(), last_seen_at = now(), end_reason = $2 WHERE id = $1", [id, reason]);
      await c.query("INSERT INTO wayfinder.event (study_id, session_id, kind, detail) VALUES ($1, $2, 'session-end', $3)", [this.studyId, id, reason]);
    });
  }

  /** Seconds of coordinator running time over all past sessions (killed ones: up to their last sign of life). */
  priorSeconds(): Promise<number> {
    return this.use(async (c) => {
      const r = await c.query<{ s: number | null }>(
        "SELECT sum(extract(epoch FROM coalesce(ended_at, last_seen_at) - started_at))::float8 AS s FROM wayfinder.session WHERE study_id = $1",
        [this.studyId],
      );
      return r.rows[0].s ?? 0;
    });
  }

  addEvent(kind: string, detail: string | null, opts: { seq?: number; sessionId?: number } = {}): Promise<void> {
    return this.use(async (c) => {
      await c.query("INSERT INTO wayfinder.event (study_id, session_id, seq, kind, detail) VALUES ($1, $2, $3, $4, $5)", [
        this.studyId, opts.sessionId ?? null, opts.seq ?? null, kind, detail,
      ]);
    });
  }

  /** Wait until a worker records a result (any study: cheap to re-check) or `ms` pass. */
  async waitForResults(ms: number): Promise<void> {
    if (this.notified) {
      this.notified = false;
      return;
    }
    const ac = new AbortController();
    await new Promise<void>((resolve) => {
      this.wake = () => {
        ac.abort();
        resolve();
      };
      sleep(ms, undefined, { signal: ac.signal }).then(resolve, () => undefined);
    });
    this.wake = undefined;
    this.notified = false;
  }

  /** Release the lock and the connections. The study's queued tasks stay queued for workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
    await this.reaperPool.end().catch(() => undefined);
  }
}
