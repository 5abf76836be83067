/**
 * A study of the PostgreSQL store read into memory, behind the StudyStore interface (harness/store), so
 * the commands that read a study (`wayfinder best`, `export`, analysis) work on both stores. The
 * interface is synchronous (SQLite answers synchronously); a network database cannot, so this is a
 * snapshot taken with one async load, and its write methods refuse: writes to a PostgreSQL study go
 * through the coordinator and the workers (StudyCoordinator, WorkQueue).
 */
import type pg from "pg";
import { WayfinderError, quote } from "../../lib/errors";
import type { Config, Outcome } from "../../lib/search/searcher";
import type {
  EvaluationRecord,
  EvaluationResultRecord,
  SessionRecord,
  StudyEvent,
  StudyInfo,
  StudySpec,
  StudyStore,
} from "../store/study-store";
import { checkPostgresUrl, openClient, redactUrl } from "./connection";
import { ensureSchema, schemaVersion } from "./schema";

interface Loaded {
  info: StudyInfo;
  evaluations: EvaluationRecord[];
  sessions: SessionRecord[];
  events: StudyEvent[];
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);

async function load(c: pg.ClientBase, study: string, url: string): Promise<Loaded> {
  const s = await c.query<{ id: number; spec: StudySpec; created_at: Date }>("SELECT id, spec, created_at FROM wayfinder.study WHERE name = $1", [study]);
  if (!s.rows[0]) {
    const names = (await c.query<{ name: string }>("SELECT name FROM wayfinder.study ORDER BY name LIMIT 20")).rows.map((r) => r.name);
    throw new WayfinderError(`study ${quote(study)} does not exist in ${redactUrl(url)}; studies there: ${names.length ? names.join(", ") : "none"}`);
  }
  const { id, spec, created_at } = s.rows[0];
  const tasks = await c.query<{
    seq: number; config: Config; is_default: boolean; session_id: number | null; attempt: number; claimed_at: Date | null; enqueued_at: Date;
    outcome: Outcome | null; detail: Partial<EvaluationResultRecord> | null; recorded_at: Date | null;
  }>(
    `SELECT t.seq, t.config, t.is_default, t.session_id, t.attempt, t.claimed_at, t.enqueued_at, r.outcome, r.detail, r.recorded_at
     FROM wayfinder.task t LEFT JOIN wayfinder.result r ON r.task_id = t.id WHERE t.study_id = $1 ORDER BY t.seq`,
    [id],
  );
  const evaluations = tasks.rows.map((t): EvaluationRecord => {
    const e: EvaluationRecord = {
      seq: t.seq,
      config: t.config,
      state: t.outcome ? "done" : "in-flight",
      isDefault: t.is_default,
      session: t.session_id ?? 0,
      attempts: t.attempt,
      startedAt: iso(t.claimed_at ?? t.enqueued_at)!,
    };
    if (t.outcome) {
      // A task abandoned by the reaper has an outcome but no evaluator detail.
      Object.assign(e, { metrics: {}, repeats: [], paramStatus: {}, timings: {}, logExcerpt: "", provenance: {} }, t.detail ?? {});
      e.outcome = t.outcome;
      e.finishedAt = iso(t.recorded_at);
    }
    return e;
  });
  const sessions = await c.query<{ id: number; started_at: Date; last_seen_at: Date; ended_at: Date | null; end_reason: string | null; pid: number; host: string }>(
    "SELECT id, started_at, last_seen_at, ended_at, end_reason, pid, host FROM wayfinder.session WHERE study_id = $1 ORDER BY id",
    [id],
  );
  const events = await c.query<{ at: Date; session_id: number | null; seq: number | null; kind: string; detail: string | null }>(
    "SELECT at, session_id, seq, kind, detail FROM wayfinder.event WHERE study_id = $1 ORDER BY id",
    [id],
  );
  return {
    info: { ...spec, createdAt: created_at.toISOString(), formatVersion: schemaVersion },
    evaluations,
    sessions: sessions.rows.map((r) => ({
      id: r.id,
      startedAt: r.started_at.toISOString(),
      endedAt: iso(r.ended_at),
      endReason: r.end_reason ?? undefined,
      pid: r.pid,
      host: r.host,
      seconds: ((r.ended_at ?? r.last_seen_at).getTime() - r.started_at.getTime()) / 1000,
    })),
    events: events.rows.map((r) => ({ at: r.at.toISOString(), session: r.session_id, seq: r.seq, kind: r.kind, detail: r.detail })),
  };
}

export class PostgresStudySnapshot implements StudyStore {
  private constructor(
    readonly location: string,
    private readonly data: Loaded,
  ) {}

  /** Read study `study` from the store at `url`. */
  static async load(url: string, study: string): Promise<PostgresStudySnapshot> {
    checkPostgresUrl(url);
    const c = await openClient(url, "wayfinder reader");
    try {
      await ensureSchema(c);
      return new PostgresStudySnapshot(`${redactUrl(url)}#${study}`, await load(c, study, url));
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  info(): StudyInfo {
    return this.data.info;
  }
  evaluations(): EvaluationRecord[] {
    return this.data.evaluations;
  }
  sessions(): SessionRecord[] {
    return this.data.sessions;
  }
  events(): StudyEvent[] {
    return this.data.events;
  }
  close(): void {}

  private readOnly(what: string): never {
    throw new WayfinderError(`${this.location} is a read-only snapshot of a PostgreSQL study (${what}); a study on PostgreSQL is written by "wayfinder run --store postgres://..." and its workers`);
  }
  setBudget(): void {
    this.readOnly("setBudget");
  }
  beginSession(): number {
    this.readOnly("beginSession");
  }
  endSession(): void {
    this.readOnly("endSession");
  }
  touchSession(): void {
    this.readOnly("touchSession");
  }
  markInFlight(): void {
    this.readOnly("markInFlight");
  }
  recordResult(): void {
    this.readOnly("recordResult");
  }
}
