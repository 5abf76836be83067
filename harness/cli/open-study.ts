/**
 * Opens a study for reading from either store: a SQLite file (read-only) or a PostgreSQL URL plus a
 * study name (a snapshot), so `best` and `export` work the same on both.
 */
import { WayfinderError } from "../../lib/errors";
import { isPostgresUrl } from "../queue/connection";
import { PostgresStudySnapshot } from "../queue/postgres-study-snapshot";
import { SqliteStudyStore } from "../store/sqlite-study-store";
import type { StudyStore } from "../store/study-store";

export async function openStudyForReading(location: string, study: string | undefined, command: string): Promise<StudyStore> {
  if (isPostgresUrl(location)) {
    if (!study) throw new WayfinderError(`${command} on a PostgreSQL store needs the study's name: --study NAME`);
    return PostgresStudySnapshot.load(location, study);
  }
  if (study !== undefined) throw new WayfinderError(`--study names a study in a PostgreSQL store; ${location} is a SQLite file holding one study`);
  return SqliteStudyStore.open(location, { readonly: true });
}
