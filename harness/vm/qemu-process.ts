/**
 * One QEMU run: start it, collect the console (bounded) and the marker lines (bounded) with their
 * arrival times, enforce the boot and total timeouts, honour an AbortSignal, and always kill and reap
 * the process. QEMU is started under `setpriv --pdeathsig KILL`, so the kernel kills it even when the
 * host process dies from SIGKILL; normal exits and SIGINT/SIGTERM kill it from an exit hook.
 * Markers arrive on their own socket (x86) or, for a guest with one UART (riscv), mixed into the
 * console (markersOnConsole): then only whole console lines that start with "@@WF " are taken.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, type Socket } from "node:net";
import { BoundedText } from "./bounded-text";
import type { TimedLine } from "./markers";

export interface QemuRunOptions {
  file: string;
  args: string[];
  markerSocket: string;
  /** Seconds until the first marker line ("stage agent") must have arrived. */
  bootTimeoutS: number;
  totalTimeoutS: number;
  /** Seconds from the "stage bench-start" marker to "stage bench-end". */
  benchmarkTimeoutS?: number;
  signal?: AbortSignal;
  /** Bound on marker bytes; a guest writing more is killed (default 1 MiB). */
  markerLimit?: number;
  consoleHeadBytes?: number;
  consoleTailBytes?: number;
  /** Called with each marker line as it arrives. */
  onMarker?: (line: TimedLine) => void;
  /** The guest writes its markers on the console (one UART): pick them out of QEMU's stdout. */
  markersOnConsole?: boolean;
}

/** The console lines that are marker lines (a tty's "\r" removed); everything else is the kernel's log. */
export function consoleMarkerLines(lines: string[]): string[] {
  return lines.map((l) => l.replace(/\r+$/, "").replace(/^\r+/, "")).filter((l) => l.startsWith("@@WF "));
}

export interface QemuRunResult {
  spawnError?: string;
  exitCode: number | null;
  signal: string | null;
  killedBy?: "timeout" | "abort";
  timeoutS?: number;
  /** Why the host killed QEMU, for evidence. */
  killReason?: string;
  stderr: string;
  console: string;
  consoleBytes: number;
  markerLines: TimedLine[];
  wallMs: number;
  pid?: number;
}

const live = new Set<ChildProcess>();
let hooksInstalled = false;

/** Kill every QEMU this process started (used by the exit and signal hooks, and by tests). */
export function killAllQemu(): void {
  for (const c of live) {
    try {
      c.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** PIDs of QEMU processes started by this process and not yet reaped. */
export function liveQemuPids(): number[] {
  return [...live].map((c) => c.pid!).filter((p) => p !== undefined);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", killAllQemu);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const handler = () => {
      killAllQemu();
      // If nobody else handles the signal, restore the default action (terminate) and re-raise it.
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, handler);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, handler);
  }
}

let setpriv: boolean | undefined;
function hasSetpriv(): boolean {
  if (setpriv === undefined) setpriv = spawnSync("setpriv", ["--help"], { stdio: "ignore" }).status === 0;
  return setpriv;
}

export function runQemu(opts: QemuRunOptions): Promise<QemuRunResult> {
  installHooks();
  const start = Date.now();
  const consoleBuf = new BoundedText(opts.consoleHeadBytes, opts.consoleTailBytes);
  const markerLines: TimedLine[] = [];
  let markerBytes = 0;
  let partial = "";
  let stderr = "";

  return new Promise((resolve) => {
    let child: ChildProcess | undefined;
    let killedBy: QemuRunResult["killedBy"];
    let timeoutS: number | undefined;
    let killReason: string | undefined;
    let sawAgent = false;
    let benchTimer: NodeJS.Timeout | undefined;
    const timers: NodeJS.Timeout[] = [];
    const sockets = new Set<Socket>();

    const kill = (why: "timeout" | "abort", reason: string, seconds?: number) => {
      if (killedBy || !child) return;
      killedBy = why;
      killReason = reason;
      timeoutS = seconds;
      child.kill("SIGKILL");
    };

    const onMarkerLine = (text: string) => {
      const line = { line: text, atMs: Date.now() - start };
      markerLines.push(line);
      if (line.line.startsWith("@@WF stage agent@@")) sawAgent = true;
      if (line.line.startsWith("@@WF stage bench-start@@") && opts.benchmarkTimeoutS !== undefined) {
        const s = opts.benchmarkTimeoutS;
        benchTimer = setTimeout(() => kill("timeout", `the benchmark did not finish within its timeout of ${s} s`, s), s * 1000);
        timers.push(benchTimer);
      }
      if (line.line.startsWith("@@WF stage bench-end@@") && benchTimer) clearTimeout(benchTimer);
      opts.onMarker?.(line);
    };
    // Marker bytes (socket) or console bytes (markersOnConsole) in, whole lines out.
    const onMarkerData = (d: string, fromConsole: boolean) => {
      markerBytes += d.length;
      if (!fromConsole && markerBytes > (opts.markerLimit ?? 1 << 20)) {
        kill("timeout", `marker port flooded (more than ${opts.markerLimit ?? 1 << 20} bytes)`);
        return;
      }
      partial += d;
      if (fromConsole && partial.length > (opts.markerLimit ?? 1 << 20)) partial = ""; // a console line longer than any marker
      let nl: number;
      while ((nl = partial.indexOf("\n")) >= 0) {
        const text = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        if (!fromConsole) onMarkerLine(text);
        else for (const m of consoleMarkerLines([text])) onMarkerLine(m);
      }
    };

    const server = createServer((sock) => {
      sockets.add(sock);
      sock.setEncoding("latin1");
      sock.on("data", (d: string) => onMarkerData(d, false));
      sock.on("error", () => {});
    });

    const finish = (r: Omit<QemuRunResult, "stderr" | "console" | "consoleBytes" | "markerLines" | "wallMs" | "killedBy" | "timeoutS" | "killReason">) => {
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener("abort", onAbort);
      for (const s of sockets) s.destroy();
      server.close();
      if (child) live.delete(child);
      resolve({
        ...r, killedBy, timeoutS, killReason, stderr: stderr.slice(-4000),
        console: consoleBuf.text(), consoleBytes: consoleBuf.total, markerLines, wallMs: Date.now() - start, pid: child?.pid,
      });
    };
    const onAbort = () => kill("abort", "aborted by the caller");

    server.on("error", (e) => finish({ spawnError: `could not listen on ${opts.markerSocket}: ${e.message}`, exitCode: null, signal: null }));
    server.listen(opts.markerSocket, () => {
      if (opts.signal?.aborted) {
        killedBy = "abort";
        return finish({ exitCode: null, signal: null });
      }
      const [file, args] = hasSetpriv() ? ["setpriv", ["--pdeathsig", "KILL", "--", opts.file, ...opts.args]] : [opts.file, opts.args];
      child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
      live.add(child);
      child.stdout!.setEncoding("latin1");
      child.stdout!.on("data", (d: string) => {
        consoleBuf.push(d);
        if (opts.markersOnConsole) onMarkerData(d, true);
      });
      child.stderr!.setEncoding("utf8");
      child.stderr!.on("data", (d: string) => (stderr = (stderr + d).slice(-8000)));
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      timers.push(setTimeout(() => kill("timeout", `no result within the total timeout of ${opts.totalTimeoutS} s`, opts.totalTimeoutS), opts.totalTimeoutS * 1000));
      timers.push(setTimeout(() => {
        if (!sawAgent) kill("timeout", `the guest agent did not start within the boot timeout of ${opts.bootTimeoutS} s`, opts.bootTimeoutS);
      }, opts.bootTimeoutS * 1000));
      let spawnError: string | undefined;
      child.on("error", (e) => (spawnError = `could not start QEMU (${opts.file}): ${e.message}`));
      // "close" fires after exit and after stdout/stderr are drained, so the console tail is complete.
      child.on("close", (code, sig) => {
        // setpriv reports a missing QEMU as status 127 with a message on stderr.
        if (!spawnError && code === 127 && /setpriv: failed to execute/.test(stderr)) spawnError = `could not start QEMU (${opts.file}): ${stderr.trim()}`;
        // Let the marker socket deliver what QEMU wrote just before exiting.
        // A line cut off by the end of QEMU is dropped: it is not a marker the agent finished writing.
        setTimeout(() => {
          finish({ spawnError, exitCode: code, signal: sig });
        }, 50);
      });
    });
  });
}
