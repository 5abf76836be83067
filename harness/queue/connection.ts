/**
 * Connections to the PostgreSQL store: URL validation, a connection pool that survives the server going
 * away, and a retry wrapper for the operations that must outlive a database restart. Every queue
 * operation is written to be safe to repeat, so retrying after an ambiguous failure (the commit may or
 * may not have happened) cannot duplicate work or results.
 */
import pg from "pg";
import { setTimeout as sleep } from "node:timers/promises";
import { WayfinderError, quote } from "../../lib/errors";

/** True for store locations this module handles (postgres:// or postgresql:// URLs). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** Check a `--store` URL and return it; `what` names the option or field for the error message. */
export function checkPostgresUrl(url: string, what = "--store"): string {
  if (!isPostgresUrl(url)) {
    throw new WayfinderError(
      `${what} ${quote(url)} is not a PostgreSQL URL; expected postgres://user@host:port/database (e.g. postgres://wayfinder@db.example:5432/wayfinder)`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WayfinderError(`${what} ${quote(url)} is not a valid URL; expected postgres://user@host:port/database`);
  }
  if (!parsed.hostname) throw new WayfinderError(`${what} ${quote(url)} has no host; expected postgres://user@host:port/database`);
  if (parsed.port && !(Number(parsed.port) > 0 && Number(parsed.port) < 65536)) {
    throw new WayfinderError(`${what} ${quote(url)} has port ${quote(parsed.port)}; a port is 1-65535`);
  }
  return url;
}

/** A connection string without its password, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<invalid url>";
  }
}

export interface PoolOptions {
  /** Maximum connections held by this process. */
  max?: number;
  /** Shown in pg_stat_activity, so an operator can tell workers from coordinators. */
  applicationName?: string;
}

/**
 * A pool whose idle connections may die (server restart) without crashing the process: pg emits
 * "error" on the pool for those, and an unhandled "error" event would kill Node.
 */
export function openPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    application_name: options.applicationName ?? "wayfinder",
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  pool.on("error", () => {
    // An idle client lost its server; the pool drops it and the next checkout reconnects.
  });
  return pool;
}

/** A single dedicated connection (LISTEN and session advisory locks need one session). */
export async function openClient(url: string, applicationName = "wayfinder"): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName, keepAlive: true, connectionTimeoutMillis: 5_000 });
  client.on("error", () => {
    // Reported to whoever uses the client next, as a failed query; see isTransientDbError.
  });
  await client.connect();
  return client;
}

const transientCodes = new Set([
  "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTCONN",
  "57P01", // admin_shutdown: the server is stopping
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or shutting down
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "53300", // too_many_connections
]);

/** Errors after which the same operation may succeed if tried again on a fresh connection. */
export function isTransientDbError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  if (code && (transientCodes.has(code) || code.startsWith("08"))) return true;
  return /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Client was closed|terminating connection/i.test(
    err.message,
  );
}

export interface RetryOptions {
  /** Give up after this long without a successful attempt (default 120 s). */
  timeoutMs?: number;
  /** Called before each retry, e.g. to log "database unreachable, retrying". */
  onRetry?: (err: Error, attempt: number) => void;
  signal?: AbortSignal;
}

/** Run `op` until it succeeds, retrying transient database errors with capped exponential backoff. */
export async function retrying<T>(op: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (!isTransientDbError(err) || Date.now() >= deadline || options.signal?.aborted) throw err;
      options.onRetry?.(err as Error, attempt);
      await sleep(Math.min(2_000, 50 * 2 ** Math.min(attempt, 6)));
    }
  }
}

/** Run `fn` inside BEGIN/COMMIT on one pooled connection; a connection that failed is discarded. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const out = await fn(client);
    await client.query("COMMIT");
    return out;
  } catch (err) {
    broken = err as Error;
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    // Passing the error destroys the connection instead of returning a possibly dead one to the pool.
    client.release(broken && isTransientDbError(broken) ? broken : undefined);
  }
}
