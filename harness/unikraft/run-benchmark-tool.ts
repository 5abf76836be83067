/**
 * Run the host-side benchmark tool (wrk, redis-benchmark) with execa: an argv, never a shell, a
 * wall-clock limit, and cancellation by the run's AbortSignal. The result is the raw material for the
 * strict parser and the classifier; nothing here decides success.
 */
import { execa } from "execa";

export interface BenchmarkRun {
  argv: string[];
  exitCode?: number;
  timedOut: boolean;
  canceled: boolean;
  spawnError?: string;
  stdout: string;
  stderr: string;
  seconds: number;
}

export async function runBenchmarkTool(file: string, args: string[], opts: { timeoutS: number; signal?: AbortSignal }): Promise<BenchmarkRun> {
  const t0 = Date.now();
  const r = await execa(file, args, {
    reject: false,
    stdin: "ignore",
    timeout: opts.timeoutS * 1000,
    forceKillAfterDelay: 2000,
    maxBuffer: 16 * 1024 * 1024,
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  });
  const spawnError = r.exitCode === undefined && !r.timedOut && !r.isCanceled ? (r.originalMessage || r.shortMessage) : undefined;
  return {
    argv: [file, ...args],
    ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
    timedOut: r.timedOut,
    canceled: r.isCanceled,
    ...(spawnError ? { spawnError } : {}),
    stdout: String(r.stdout ?? ""),
    stderr: String(r.stderr ?? ""),
    seconds: (Date.now() - t0) / 1000,
  };
}
