/**
 * One coordinator per study. Two coordinators on one study would both ask the searcher and enqueue
 * different configurations under the same positions, so the second one must stop with a clear error.
 * The guard is a session-level advisory lock keyed by the study id: the server releases it the moment
 * the holder's connection ends (a killed coordinator, a lost host), so a restarted coordinator takes over
 * at once, with no lease timeout to wait for. The coordinator row only names the holder for the message.
 */
import type pg from "pg";
import { WayfinderError } from "../../lib/errors";
import { lockNamespace } from "./schema";

/** Take the study's coordinator lock on `client` (which must stay open) or throw naming the holder. */
export async function acquireCoordinatorLease(client: pg.ClientBase, studyId: number, studyName: string, holder: string): Promise<void> {
  const got = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS ok", [lockNamespace, studyId]);
  if (!got.rows[0].ok) {
    const row = await client.query<{ holder: string; acquired_at: Date }>(
      "SELECT holder, acquired_at FROM wayfinder.coordinator WHERE study_id = $1",
      [studyId],
    );
    const who = row.rows[0] ? `${row.rows[0].holder}, since ${row.rows[0].acquired_at.toISOString()}` : "holder unknown";
    throw new WayfinderError(
      `study "${studyName}" already has a running coordinator (${who}); a second coordinator would ask the searcher again ` +
        `and enqueue duplicate evaluations. Stop the other "wayfinder run" first, or use another study name. ` +
        `(Workers need no coordinator of their own: start them with "wayfinder worker".)`,
      { studyName, holder: row.rows[0]?.holder },
    );
  }
  await client.query(
    `INSERT INTO wayfinder.coordinator (study_id, holder, acquired_at) VALUES ($1, $2, now())
     ON CONFLICT (study_id) DO UPDATE SET holder = EXCLUDED.holder, acquired_at = EXCLUDED.acquired_at`,
    [studyId, holder],
  );
}
