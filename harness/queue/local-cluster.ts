/**
 * A private, throw-away PostgreSQL cluster on a loopback port, for the queue tests and benchmarks: initdb
 * into a temporary directory, `pg_ctl start`, and stop/restart/remove on request. It uses the server
 * binaries of the Debian `postgresql` package. PostgreSQL refuses to run as root, so when this process
 * is root the cluster belongs to the `postgres` system user and every server command runs through
 * `runuser -u postgres`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, chownSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WayfinderError } from "../../lib/errors";

export interface LocalClusterOptions {
  /** Extra `-c name=value` server settings, e.g. { fsync: "off" }. */
  settings?: Record<string, string>;
  /** Directory holding initdb/pg_ctl; default: the newest /usr/lib/postgresql/<version>/bin. */
  binDir?: string;
}

export interface LocalCluster {
  /** Connection URL, e.g. postgres://postgres@127.0.0.1:54321/postgres. */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Stop the server: "fast" disconnects clients cleanly, "immediate" is a crash (recovery on next start). */
  stop(mode?: "fast" | "immediate"): void;
  start(): void;
  restart(mode?: "fast" | "immediate"): void;
  /** Stop (if running) and delete the data directory. Safe to call twice. */
  dispose(): void;
  /** The server log so far (for test failure messages). */
  log(): string;
}

/** The newest PostgreSQL server bin directory installed by Debian, or a clear error. */
export function findPostgresBinDir(): string {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base)
    ? readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "pg_ctl"))).sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new WayfinderError(
      `PostgreSQL server binaries not found under ${base}/<version>/bin; install the Debian package "postgresql" (listed in scripts/apt-packages.txt)`,
    );
  }
  return join(base, versions[0], "bin");
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const bin = options.binDir ?? findPostgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "wf-pg-"));
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  const logFile = join(dir, "server.log");
  const port = await freePort();

  const pg = (tool: string, args: string[]) => {
    const cmd = asRoot ? "runuser" : join(bin, tool);
    const argv = asRoot ? ["-u", "postgres", "--", join(bin, tool), ...args] : args;
    const r = spawnSync(cmd, argv, { encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) {
      const serverLog = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-2000) : "";
      throw new Error(`${tool} ${args.join(" ")} failed (status ${r.status}): ${r.stderr}${r.stdout}\n${serverLog}`);
    }
  };

  // Trust authentication is acceptable only because the server listens on loopback and a private socket dir.
  pg("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"]);
  const settings = { listen_addresses: "127.0.0.1", unix_socket_directories: dir, ...options.settings };
  const serverOptions = [`-p ${port}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(" ");
  let running = false;
  let disposed = false;

  const cluster: LocalCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start() {
      if (running) return;
      pg("pg_ctl", ["-D", data, "-l", logFile, "-o", serverOptions, "-w", "-t", "60", "start"]);
      running = true;
    },
    stop(mode = "fast") {
      if (!running) return;
      pg("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"]);
      running = false;
    },
    restart(mode = "fast") {
      cluster.stop(mode);
      cluster.start();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      try {
        cluster.stop("immediate");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    log() {
      return existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
    },
  };
  try {
    cluster.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return cluster;
}
