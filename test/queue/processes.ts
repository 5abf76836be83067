/**
 * Child processes for the queue tests: `wayfinder worker` processes (they stand for hosts) and the fixture
 * coordinator, with their output captured and every process killed at the end of the test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

export interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  pid: number;
}

const live = new Set<ChildProcess>();

function start(args: string[]): Proc {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code, signal) => {
      live.delete(child);
      resolve(signal ? null : code);
    }),
  );
  return { child, output: () => out, exited, pid: child.pid! };
}

export function startWorker(url: string, slots: number, ...extra: string[]): Proc {
  return start(["bin/wayfinder.js", "worker", "--store", url, "--slots", String(slots), "--heartbeat", "0.3", ...extra]);
}

export function startCoordinator(url: string, study: string, budget: number, durationMs: number, parallel: number | "auto", leaseS: number): Proc {
  return start(["--import", "tsx", "test/queue/fixtures/coordinator.ts", url, study, String(budget), String(durationMs), String(parallel), String(leaseS)]);
}

/** Kill every child still running (SIGKILL: a test that failed half-way must not leave workers behind). */
export function killAll(): void {
  for (const c of live) c.kill("SIGKILL");
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Resolve with the exit code, or fail naming the process and its output when it takes too long. */
export async function exitOf(p: Proc, name: string, timeoutMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
  const r = await Promise.race([p.exited, timeout]);
  clearTimeout(timer);
  if (r === "timeout") throw new Error(`${name} did not exit within ${timeoutMs} ms; output:\n${p.output()}`);
  return r;
}
