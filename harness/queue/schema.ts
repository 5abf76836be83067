/**
 * The PostgreSQL tables shared by coordinators and workers, in their own schema `wayfinder` so the store
 * can live in a database that holds other things. Creating them is idempotent and serialised by a
 * transaction-level advisory lock, because several workers starting at once would otherwise race on
 * CREATE ... IF NOT EXISTS (which is not concurrency-safe in PostgreSQL).
 */
import type pg from "pg";
import { WayfinderError } from "../../lib/errors";

export const schemaVersion = 1;

/** Advisory-lock namespace of this project ("WF" in ASCII); the second key says what is locked. */
export const lockNamespace = 0x5746;
export const schemaLockKey = 0;

const ddl = `
CREATE SCHEMA IF NOT EXISTS wayfinder;
CREATE TABLE IF NOT EXISTS wayfinder.meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS wayfinder.study (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  spec jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Who coordinates a study; the advisory lock is the truth, this row only names the holder in errors.
CREATE TABLE IF NOT EXISTS wayfinder.coordinator (
  study_id int PRIMARY KEY REFERENCES wayfinder.study(id) ON DELETE CASCADE,
  holder text NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS wayfinder.worker (
  id text PRIMARY KEY,
  host text NOT NULL,
  pid int NOT NULL,
  slots int NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  stopped_at timestamptz
);
CREATE TABLE IF NOT EXISTS wayfinder.task (
  id bigserial PRIMARY KEY,
  study_id int NOT NULL REFERENCES wayfinder.study(id) ON DELETE CASCADE,
  seq int NOT NULL,
  evaluator text NOT NULL,
  config jsonb NOT NULL,
  request jsonb NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  session_id int,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done')),
  attempt int NOT NULL DEFAULT 0,
  lost int NOT NULL DEFAULT 0,
  max_lost int NOT NULL DEFAULT 3,
  lease_seconds double precision NOT NULL DEFAULT 30,
  worker text,
  claimed_at timestamptz,
  heartbeat_at timestamptz,
  enqueued_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (study_id, seq)
);
CREATE INDEX IF NOT EXISTS task_queued ON wayfinder.task (id) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS task_running ON wayfinder.task (heartbeat_at) WHERE state = 'running';
CREATE TABLE IF NOT EXISTS wayfinder.result (
  task_id bigint PRIMARY KEY REFERENCES wayfinder.task(id) ON DELETE CASCADE,
  study_id int NOT NULL,
  attempt int NOT NULL,
  worker text NOT NULL,
  outcome jsonb NOT NULL,
  detail jsonb,
  started_at timestamptz,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS result_study ON wayfinder.result (study_id);
-- A coordinator's (or local run's) stretch of activity on a study, as in the SQLite store.
CREATE TABLE IF NOT EXISTS wayfinder.session (
  id serial PRIMARY KEY,
  study_id int NOT NULL REFERENCES wayfinder.study(id) ON DELETE CASCADE,
  started_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  end_reason text,
  pid int NOT NULL,
  host text NOT NULL
);
-- Study events, and the queue's unusual events (a lost worker, a rejected late result); the common
-- claim/record path writes none, so it stays two statements.
CREATE TABLE IF NOT EXISTS wayfinder.event (
  id bigserial PRIMARY KEY,
  study_id int NOT NULL REFERENCES wayfinder.study(id) ON DELETE CASCADE,
  session_id int,
  seq int,
  kind text NOT NULL,
  detail text,
  at timestamptz NOT NULL DEFAULT now()
);
`;

/** Create the tables when missing; fail clearly when the database holds a newer, unknown layout. */
export async function ensureSchema(client: pg.ClientBase): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1, $2)", [lockNamespace, schemaLockKey]);
    await client.query(ddl);
    const row = await client.query<{ value: string }>("SELECT value FROM wayfinder.meta WHERE key = 'schema_version'");
    const found = row.rows[0] ? Number(row.rows[0].value) : undefined;
    if (found === undefined) {
      await client.query("INSERT INTO wayfinder.meta (key, value) VALUES ('schema_version', $1)", [String(schemaVersion)]);
    } else if (found > schemaVersion) {
      throw new WayfinderError(
        `the PostgreSQL store has schema version ${found}, newer than this wayfinder's ${schemaVersion}; upgrade wayfinder on this host`,
      );
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}
