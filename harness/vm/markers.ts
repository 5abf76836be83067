/**
 * The guest agent reports on a dedicated serial port (ttyS1) that carries nothing but marker lines
 * (the riscv guest, with one UART, writes them on its console instead: see qemu-process.ts):
 *
 *   @@WF stage <agent|modules|params|app-start|app-ready|bench-start|bench-end|done>@@
 *   @@WF module <name> <ok|failed>@@
 *   @@WF param <index> <missing|rejected|unreadable>@@
 *   @@WF param <index> written <hex of the value read back>@@
 *   @@WF fail <config|runtime|benchmark> <detail token>@@
 *   @@WF output <hex of the benchmark's output>@@
 *   @@WF applog <hex of the application's log tail>@@
 *   @@WF bootlog <hex of the kernel's "Unknown kernel command line parameters" lines>@@
 *
 * Values never appear in clear: parameters are referred to by index and any text is hex, so nothing a
 * value or an application prints can forge a marker. The parser is strict: anything else is an error.
 */

export const STAGES = ["agent", "modules", "params", "app-start", "app-ready", "bench-start", "bench-end", "done"] as const;
export type Stage = (typeof STAGES)[number];

export interface ParamReport {
  status: "missing" | "rejected" | "written" | "unreadable";
  /** What the guest read back after writing (written only). */
  readback?: string;
}

export interface MarkerReport {
  /** Stages in the order reached, with the host time (ms) each marker arrived when known. */
  stages: { stage: Stage; atMs?: number }[];
  modules: Record<string, "ok" | "failed">;
  params: Map<number, ParamReport>;
  failure?: { phase: "config" | "runtime" | "benchmark"; detail: string };
  output?: string;
  appLog?: string;
  bootLog?: string;
  /** Lines that are not well-formed markers; any of these makes the report untrustworthy. */
  errors: string[];
}

export interface TimedLine {
  line: string;
  atMs?: number;
}

const MARKER = /^@@WF ([a-z-]+)((?: [^ @]+)*)@@$/;
const HEX = /^(?:[0-9a-f]{2})*$/;
const TOKEN = /^[A-Za-z0-9_.:=+-]{1,64}$/;

function unhex(s: string): string | undefined {
  return HEX.test(s) ? Buffer.from(s, "hex").toString("utf8") : undefined;
}

/** Parse the marker port's lines; "\r" line ends (the guest tty adds them) are tolerated. */
export function parseMarkers(lines: (string | TimedLine)[]): MarkerReport {
  const report: MarkerReport = { stages: [], modules: {}, params: new Map(), errors: [] };
  for (const item of lines) {
    const { line: raw, atMs } = typeof item === "string" ? { line: item, atMs: undefined } : item;
    const line = raw.replace(/\r+$/, "");
    if (line === "") continue;
    const bad = () => report.errors.push(line.length > 120 ? line.slice(0, 117) + "..." : line);
    const m = MARKER.exec(line);
    if (!m) {
      bad();
      continue;
    }
    const kind = m[1];
    const args = m[2] === "" ? [] : m[2].slice(1).split(" ");
    if (kind === "stage" && args.length === 1 && (STAGES as readonly string[]).includes(args[0])) {
      report.stages.push({ stage: args[0] as Stage, atMs });
    } else if (kind === "module" && args.length === 2 && TOKEN.test(args[0]) && (args[1] === "ok" || args[1] === "failed")) {
      report.modules[args[0]] = args[1];
    } else if (kind === "param" && /^\d{1,6}$/.test(args[0] ?? "")) {
      const index = Number(args[0]);
      if (report.params.has(index)) bad();
      else if (args.length === 2 && (args[1] === "missing" || args[1] === "rejected" || args[1] === "unreadable")) report.params.set(index, { status: args[1] });
      else if ((args.length === 2 || args.length === 3) && args[1] === "written") {
        const readback = unhex(args[2] ?? "");
        if (readback === undefined) bad();
        else report.params.set(index, { status: "written", readback });
      } else bad();
    } else if (kind === "fail" && args.length === 2 && ["config", "runtime", "benchmark"].includes(args[0]) && TOKEN.test(args[1])) {
      if (report.failure) bad();
      else report.failure = { phase: args[0] as "config" | "runtime" | "benchmark", detail: args[1] };
    } else if ((kind === "output" || kind === "applog" || kind === "bootlog") && args.length <= 1) {
      const text = unhex(args[0] ?? "");
      if (text === undefined) bad();
      else if (kind === "output") report.output = text;
      else if (kind === "applog") report.appLog = text;
      else report.bootLog = text;
    } else bad();
  }
  return report;
}

export function reached(report: MarkerReport, stage: Stage): boolean {
  return report.stages.some((s) => s.stage === stage);
}

export function stageTime(report: MarkerReport, stage: Stage): number | undefined {
  return report.stages.find((s) => s.stage === stage)?.atMs;
}
