/**
 * The default study store: one SQLite file per study (better-sqlite3, synchronous API).
 *
 * Durability: WAL journal with synchronous=FULL. In WAL mode, NORMAL already survives a killed process
 * (a committed transaction is in the WAL file before the call returns); FULL additionally fsyncs the
 * WAL on every commit, so a committed evaluation also survives a power cut or host crash. An evaluation
 * takes tens of seconds and the store writes two rows per evaluation, so the extra fsync (about a
 * millisecond) costs nothing measurable and we take the stronger guarantee.
 *
 * Portability: plain tables, TEXT for timestamps (ISO 8601) and JSON documents, INTEGER/REAL for numbers,
 * no SQLite-only types or upserts the PostgreSQL store could not express the same way.
 */
import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import { WayfinderError, quote } from "../../lib/errors";
import type { Config } from "../../lib/search/searcher";
import type {
  Budget,
  EvaluationRecord,
  EvaluationResultRecord,
  SessionRecord,
  StudyEvent,
  StudyInfo,
  StudySpec,
  StudyStore,
} from "./study-store";

export const STORE_FORMAT_VERSION = 1;

const SCHEMA = `
CREATE TABLE study (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  format_version INTEGER NOT NULL,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  job_path TEXT NOT NULL,
  job_text TEXT NOT NULL,
  job_json TEXT NOT NULL,
  searcher TEXT NOT NULL,
  seed INTEGER NOT NULL,
  repeats INTEGER NOT NULL,
  budget_json TEXT NOT NULL,
  objective TEXT NOT NULL,
  direction TEXT NOT NULL,
  default_config_json TEXT NOT NULL
);
CREATE TABLE session (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  ended_at TEXT,
  end_reason TEXT,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL
);
CREATE TABLE evaluation (
  seq INTEGER PRIMARY KEY,
  config_json TEXT NOT NULL,
  is_default INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('in-flight', 'done')),
  session_id INTEGER NOT NULL REFERENCES session (id),
  attempts INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  ok INTEGER,
  objective REAL,
  failure_phase TEXT,
  evidence TEXT,
  metrics_json TEXT,
  repeats_json TEXT,
  param_status_json TEXT,
  timings_json TEXT,
  log_excerpt TEXT,
  provenance_json TEXT
);
CREATE TABLE event (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  session_id INTEGER,
  seq INTEGER,
  kind TEXT NOT NULL,
  detail TEXT
);
`;

function now(): string {
  return new Date().toISOString();
}

function parseJson<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

export class SqliteStudyStore implements StudyStore {
  private constructor(
    readonly location: string,
    private readonly db: Database.Database,
  ) {}

  private static connect(file: string): Database.Database {
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    return db;
  }

  /** Creates a new study file; refuses to overwrite an existing one (use `open` and resume instead). */
  static create(file: string, spec: StudySpec): SqliteStudyStore {
    if (existsSync(file)) {
      throw new WayfinderError(
        `store ${quote(file)} already exists; continue it with "wayfinder run --resume ${file}" or choose another --store file`,
      );
    }
    const db = SqliteStudyStore.connect(file);
    db.transaction(() => {
      db.exec(SCHEMA);
      db.prepare(
        `INSERT INTO study (id, format_version, name, created_at, job_path, job_text, job_json, searcher, seed,
           repeats, budget_json, objective, direction, default_config_json)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        STORE_FORMAT_VERSION, spec.name, now(), spec.jobPath, spec.jobText, JSON.stringify(spec.job), spec.searcher,
        spec.seed, spec.repeats, JSON.stringify(spec.budget), spec.objective, spec.direction,
        JSON.stringify(spec.defaultConfig),
      );
    })();
    return new SqliteStudyStore(file, db);
  }

  /**
   * Opens an existing study file, checking that it is one. `readonly` (for best/export) neither writes
   * nor changes the file's journal mode, so reading a committed study leaves it byte-identical.
   */
  static open(file: string, opts: { readonly?: boolean } = {}): SqliteStudyStore {
    if (!existsSync(file)) throw new WayfinderError(`store ${quote(file)} does not exist`);
    let db: Database.Database;
    try {
      db = new Database(file, { fileMustExist: true, readonly: opts.readonly === true });
      const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'study'").get();
      if (!table) throw new Error("no study table");
    } catch (err) {
      throw new WayfinderError(
        `store ${quote(file)} is not a wayfinder study (an SQLite file written by "wayfinder run"): ${(err as Error).message}`,
      );
    }
    if (!opts.readonly) {
      db.close();
      db = SqliteStudyStore.connect(file);
    }
    const store = new SqliteStudyStore(file, db);
    const version = store.info().formatVersion;
    if (version !== STORE_FORMAT_VERSION) {
      store.close();
      throw new WayfinderError(`store ${quote(file)} has format version ${version}; this wayfinder reads version ${STORE_FORMAT_VERSION}`);
    }
    return store;
  }

  info(): StudyInfo {
    const r = this.db.prepare("SELECT * FROM study WHERE id = 1").get() as Record<string, any>;
    return {
      formatVersion: r.format_version,
      name: r.name,
      createdAt: r.created_at,
      jobPath: r.job_path,
      jobText: r.job_text,
      job: JSON.parse(r.job_json),
      searcher: r.searcher,
      seed: r.seed,
      repeats: r.repeats,
      budget: JSON.parse(r.budget_json),
      objective: r.objective,
      direction: r.direction,
      defaultConfig: JSON.parse(r.default_config_json),
    };
  }

  setBudget(budget: Budget): void {
    this.db.transaction(() => {
      this.db.prepare("UPDATE study SET budget_json = ? WHERE id = 1").run(JSON.stringify(budget));
      this.event("budget", null, null, JSON.stringify(budget));
    })();
  }

  private event(kind: string, session: number | null, seq: number | null, detail?: string): void {
    this.db.prepare("INSERT INTO event (at, session_id, seq, kind, detail) VALUES (?, ?, ?, ?, ?)").run(
      now(), session, seq, kind, detail ?? null,
    );
  }

  beginSession(pid: number, host: string): number {
    return this.db.transaction(() => {
      const t = now();
      const id = Number(
        this.db.prepare("INSERT INTO session (started_at, last_seen_at, pid, host) VALUES (?, ?, ?, ?)").run(t, t, pid, host)
          .lastInsertRowid,
      );
      this.event("session-start", id, null, `pid ${pid} on ${host}`);
      return id;
    })();
  }

  endSession(id: number, reason: string): void {
    this.db.transaction(() => {
      const t = now();
      this.db.prepare("UPDATE session SET ended_at = ?, last_seen_at = ?, end_reason = ? WHERE id = ?").run(t, t, reason, id);
      this.event("session-end", id, null, reason);
    })();
  }

  touchSession(id: number): void {
    this.db.prepare("UPDATE session SET last_seen_at = ? WHERE id = ?").run(now(), id);
  }

  sessions(): SessionRecord[] {
    const rows = this.db.prepare("SELECT * FROM session ORDER BY id").all() as Array<Record<string, any>>;
    return rows.map((r) => ({
      id: r.id,
      startedAt: r.started_at,
      endedAt: r.ended_at ?? undefined,
      endReason: r.end_reason ?? undefined,
      pid: r.pid,
      host: r.host,
      seconds: Math.max(0, (Date.parse(r.ended_at ?? r.last_seen_at) - Date.parse(r.started_at)) / 1000),
    }));
  }

  markInFlight(seq: number, config: Config, opts: { session: number; isDefault: boolean }): void {
    this.db.transaction(() => {
      const t = now();
      const existing = this.db.prepare("SELECT state, config_json FROM evaluation WHERE seq = ?").get(seq) as
        | { state: string; config_json: string }
        | undefined;
      if (existing) {
        // Only an evaluation interrupted by a kill may be started again, and only with the same configuration.
        if (existing.state !== "in-flight") {
          throw new WayfinderError(`evaluation ${seq} in ${quote(this.location)} is already done; refusing to evaluate it twice`);
        }
        if (existing.config_json !== JSON.stringify(config)) {
          throw new WayfinderError(`evaluation ${seq} in ${quote(this.location)} was started with another configuration`);
        }
        this.db.prepare(
          "UPDATE evaluation SET attempts = attempts + 1, session_id = ?, started_at = ? WHERE seq = ?",
        ).run(opts.session, t, seq);
        this.event("rerun-interrupted", opts.session, seq, "evaluation was in flight when its run stopped; started again");
      } else {
        const last = this.db.prepare("SELECT MAX(seq) AS m FROM evaluation").get() as { m: number | null };
        const expected = last.m === null ? 0 : last.m + 1;
        if (seq !== expected) {
          throw new WayfinderError(`evaluation ${seq} out of order in ${quote(this.location)}: the next one is ${expected}`);
        }
        this.db.prepare(
          `INSERT INTO evaluation (seq, config_json, is_default, state, session_id, attempts, started_at)
           VALUES (?, ?, ?, 'in-flight', ?, 1, ?)`,
        ).run(seq, JSON.stringify(config), opts.isDefault ? 1 : 0, opts.session, t);
      }
      this.db.prepare("UPDATE session SET last_seen_at = ? WHERE id = ?").run(t, opts.session);
    })();
  }

  recordResult(seq: number, result: EvaluationResultRecord): void {
    this.db.transaction(() => {
      const t = now();
      const row = this.db.prepare("SELECT state, session_id FROM evaluation WHERE seq = ?").get(seq) as
        | { state: string; session_id: number }
        | undefined;
      if (!row || row.state !== "in-flight") {
        throw new WayfinderError(`evaluation ${seq} in ${quote(this.location)} is not in flight; cannot record its result`);
      }
      const o = result.outcome;
      this.db.prepare(
        `UPDATE evaluation SET state = 'done', finished_at = ?, ok = ?, objective = ?, failure_phase = ?, evidence = ?,
           metrics_json = ?, repeats_json = ?, param_status_json = ?, timings_json = ?, log_excerpt = ?, provenance_json = ?
         WHERE seq = ?`,
      ).run(
        t, o.ok ? 1 : 0, o.ok ? o.value : null, o.ok ? null : o.phase, o.ok ? null : (o.evidence ?? null),
        JSON.stringify(result.metrics), JSON.stringify(result.repeats), JSON.stringify(result.paramStatus),
        JSON.stringify(result.timings), result.logExcerpt, JSON.stringify(result.provenance), seq,
      );
      this.db.prepare("UPDATE session SET last_seen_at = ? WHERE id = ?").run(t, row.session_id);
    })();
  }

  evaluations(): EvaluationRecord[] {
    const rows = this.db.prepare("SELECT * FROM evaluation ORDER BY seq").all() as Array<Record<string, any>>;
    return rows.map((r) => {
      const rec: EvaluationRecord = {
        seq: r.seq,
        config: JSON.parse(r.config_json),
        state: r.state,
        isDefault: r.is_default === 1,
        session: r.session_id,
        attempts: r.attempts,
        startedAt: r.started_at,
      };
      if (r.state === "done") {
        rec.finishedAt = r.finished_at;
        rec.outcome = r.ok === 1
          ? { ok: true, value: r.objective }
          : { ok: false, phase: r.failure_phase, ...(r.evidence !== null ? { evidence: r.evidence } : {}) };
        rec.metrics = parseJson(r.metrics_json);
        rec.repeats = parseJson(r.repeats_json);
        rec.paramStatus = parseJson(r.param_status_json);
        rec.timings = parseJson(r.timings_json);
        rec.logExcerpt = r.log_excerpt ?? "";
        rec.provenance = parseJson(r.provenance_json);
      }
      return rec;
    });
  }

  events(): StudyEvent[] {
    return (this.db.prepare("SELECT at, session_id, seq, kind, detail FROM event ORDER BY id").all() as Array<Record<string, any>>)
      .map((r) => ({ at: r.at, session: r.session_id, seq: r.seq, kind: r.kind, detail: r.detail }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
