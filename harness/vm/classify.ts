/**
 * Turns what was observed of one QEMU run (its exit, the marker report, the console excerpt) into an
 * outcome with a failure phase and evidence. Pure, so every failure class is unit-tested on recorded
 * traces as well as on real VMs.
 */
import type { Outcome } from "../../lib/search/searcher";
import type { ConfigLayer } from "./config-layer";
import type { ParamStatus } from "./evaluator";
import { reached, type MarkerReport } from "./markers";
import { extractMetrics } from "./metrics";
import type { TargetSpec } from "./target";

export interface RunTrace {
  /** QEMU could not be started at all (e.g. binary missing). */
  spawnError?: string;
  exitCode: number | null;
  signal: string | null;
  /** Set when the host itself killed QEMU. */
  killedBy?: "timeout" | "abort";
  timeoutS?: number;
  stderr: string;
  /** Bounded console excerpt (kernel log). */
  console: string;
  markers: MarkerReport;
}

export interface Classification {
  outcome: Outcome;
  metrics: Record<string, number>;
  paramStatus: Record<string, ParamStatus>;
}

const PANIC = /Kernel panic - not syncing[^\n]*/;

function tail(text: string, lines = 12): string {
  return text.split("\n").map((l) => l.replace(/\r$/, "")).filter((l) => l.trim() !== "").slice(-lines).join("\n");
}

/** A runtime value matches its read-back when they agree up to whitespace, or the sysfs "[choice]" form selects it. */
export function readbackMatches(value: string, readback: string): boolean {
  const norm = (s: string) => s.trim().split(/\s+/).join(" ");
  if (norm(value) === norm(readback)) return true;
  const v = value.trim();
  return v !== "" && readback.split(/\s+/).includes(`[${v}]`);
}

/** The last stage the guest reached, for evidence. */
function lastStage(m: MarkerReport): string {
  return m.stages.length ? m.stages[m.stages.length - 1].stage : "none (no marker from the guest agent)";
}

export function classifyRun(trace: RunTrace, layer: ConfigLayer, target: TargetSpec, bootParams: string[]): Classification {
  const m = trace.markers;
  const paramStatus: Record<string, ParamStatus> = { ...layer.paramStatus };
  for (const [index, p] of layer.runtimeIndex) {
    const r = m.params.get(index);
    if (!r) continue;
    if (r.status === "written") paramStatus[p.name] = readbackMatches(p.value, r.readback ?? "") ? "applied" : "readback-differs";
    else if (r.status === "unreadable") paramStatus[p.name] = "applied";
    else paramStatus[p.name] = r.status;
  }
  if (reached(m, "agent")) {
    // The kernel lists parameters it did not recognise (they end up in init's environment).
    const unknown = /Unknown kernel command line parameters "([^"]*)"/.exec(`${m.bootLog ?? ""}\n${trace.console}`)?.[1]?.split(/\s+/) ?? [];
    for (const name of bootParams) {
      paramStatus[name] = unknown.some((w) => w === name || w.startsWith(name + "=")) ? "rejected" : "applied";
    }
  }
  if (reached(m, "app-ready")) for (const name of layer.applicationNames) paramStatus[name] = "applied";
  const { metrics, missing } = extractMetrics(m.output ?? "", target.benchmark.metrics);
  const failed = (phase: Exclude<Outcome, { ok: true }>["phase"], evidence: string): Classification => ({
    outcome: { ok: false, phase, evidence },
    metrics,
    paramStatus,
  });
  const guestLog = () => (m.appLog ? `\napplication log:\n${tail(m.appLog)}` : "");

  if (trace.spawnError) return failed("harness", trace.spawnError);
  if (m.errors.length > 0) return failed("harness", `malformed marker line(s) from the guest: ${m.errors.slice(0, 3).join(" | ")}`);
  if (trace.killedBy === "abort") return failed("harness", "evaluation aborted by the host; QEMU was killed");

  const panic = PANIC.exec(trace.console)?.[0];
  if (panic) {
    const phase = reached(m, "agent") ? "runtime" : "boot";
    return failed(phase, `guest kernel panic (${phase === "boot" ? "during boot" : `after stage ${lastStage(m)}`}): ${panic}\n${tail(trace.console)}`);
  }
  if (trace.killedBy === "timeout") {
    return failed("timeout", `no result after ${trace.timeoutS ?? "?"} s; QEMU killed; last stage reached: ${lastStage(m)}\n${tail(trace.console)}`);
  }
  if (m.failure) {
    const f = m.failure;
    if (f.phase === "config") {
      const index = Number(/^param-(\d+)$/.exec(f.detail)?.[1]);
      const p = layer.runtimeIndex.get(index);
      const what = p ? `${p.name} = ${JSON.stringify(p.value)} was ${paramStatus[p.name] ?? "rejected"} by the guest kernel` : f.detail;
      return failed("config", `required runtime parameter ${what}`);
    }
    if (f.phase === "runtime") return failed("runtime", `application failed: ${f.detail}${guestLog()}`);
    return failed("benchmark", `benchmark failed: ${f.detail}\n${tail(m.output ?? "")}${guestLog()}`);
  }
  if (trace.signal) return failed("harness", `QEMU was killed by ${trace.signal} (not by the harness)\n${tail(trace.console)}`);
  if (trace.exitCode !== 0 && !reached(m, "agent")) {
    return failed(trace.console.trim() === "" ? "harness" : "boot", `QEMU exited with status ${trace.exitCode} before the guest agent started\n${tail(trace.stderr || trace.console)}`);
  }
  if (!reached(m, "done")) {
    const phase = !reached(m, "agent") ? "boot" : !reached(m, "app-ready") ? "runtime" : "benchmark";
    return failed(phase, `guest stopped (QEMU status ${trace.exitCode}) without finishing; last stage reached: ${lastStage(m)}\n${tail(trace.console)}`);
  }
  if (missing.includes(target.benchmark.primary)) {
    return failed("benchmark", `metric ${target.benchmark.primary} not found in the benchmark output (pattern ${target.benchmark.metrics.find((x) => x.name === target.benchmark.primary)?.pattern})\n${tail(m.output ?? "")}`);
  }
  return { outcome: { ok: true, value: metrics[target.benchmark.primary] }, metrics, paramStatus };
}
