/**
 * The VM evaluator: one configuration in, one measured outcome out. It builds (or reuses from the
 * cache) the guest image for the target, writes the configuration into a small cpio appended to the
 * initrd, boots QEMU, reads the guest agent's marker lines and classifies the outcome. Guest failures
 * are outcomes, never exceptions; a fault of the harness itself becomes phase "harness".
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { WayfinderError } from "../../lib/errors";
import type { FailurePhase, Outcome } from "../../lib/search/searcher";
import { defaultCacheDir } from "./cache-dir";
import { classifyRun } from "./classify";
import { buildConfigLayer, type ConfigLayer } from "./config-layer";
import { appendInitrd, writeCpio } from "./cpio";
import { buildImage, type BuiltImage } from "./image-builder";
import { probeAccel } from "./kvm-probe";
import { parseMarkers, stageTime } from "./markers";
import { qemuArgv } from "./qemu-argv";
import { runQemu } from "./qemu-process";
import { defaultQemu, findQemu } from "./preflight";
import { markerChannel } from "./qemu-argv";
import type { TargetSpec } from "./target";

export type { FailurePhase, Outcome };

/** When a parameter takes effect in the VM: on the kernel command line, in /proc/sys (or /sys), or in the app's config. */
export type BindingPhase = "boot" | "runtime" | "application";

/** How one parameter of the configuration reaches the guest. */
export interface ParamBinding {
  name: string;
  phase: BindingPhase;
  /** Runtime only: the /proc/sys or /sys file; default derived from a dotted sysctl name (net.core.somaxconn). */
  path?: string;
  /**
   * A required parameter that the kernel rejects (or that is missing) fails the evaluation with phase
   * "config" before the benchmark runs. Default true.
   */
  required?: boolean;
}

export type ParamStatus = "applied" | "rejected" | "missing" | "readback-differs";

export interface EvaluationRequest {
  /** Values by parameter name. Parameters without a binding are an error (phase "harness"). */
  config: Record<string, number | string>;
  params: ParamBinding[];
  target: TargetSpec;
  /** Boot this many times and average the primary metric (default 1). */
  repeat?: number;
  signal?: AbortSignal;
  /** Overrides target.vm.deterministic (-icount). */
  deterministic?: boolean;
  /** Root of the build cache; default <repo>/.cache/wayfinder. */
  cacheDir?: string;
  /** Called with short progress notes ("building image", "KVM unusable: using TCG"). */
  onNote?: (note: string) => void;
}

export interface EvaluationTimings {
  /** Image build or cache lookup plus the config cpio. */
  buildS: number;
  /** QEMU start to the guest agent's boot marker. */
  bootS: number;
  /** The benchmark's own run inside the guest, as measured by the host between markers. */
  benchmarkS: number;
  totalS: number;
}

export interface EvaluationProvenance {
  kernel: string;
  qemu: string;
  accel: "kvm" | "tcg";
  icount: boolean;
  host: string;
  /** Content key of the cached image used. */
  image?: string;
}

export interface EvaluationResult {
  outcome: Outcome;
  metrics: Record<string, number>;
  paramStatus: Record<string, ParamStatus>;
  timings: EvaluationTimings;
  /** Bounded excerpt of the guest console (kernel log) and agent output, for the record and for evidence. */
  logExcerpt: string;
  provenance: EvaluationProvenance;
  /** With repeat > 1: the primary metric of each repetition. */
  repeats?: number[];
  /** Notes for the user, e.g. that KVM was unusable and TCG was used. */
  notes: string[];
  /** The benchmark's output (first 8 KiB), as the metric patterns saw it. */
  benchmarkOutput?: string;
}

const qemuVersions = new Map<string, string>();
function qemuVersion(qemu: string): string {
  if (!qemuVersions.has(qemu)) {
    const r = spawnSync(qemu, ["-version"], { encoding: "utf8", timeout: 10_000 });
    qemuVersions.set(qemu, (r.stdout ?? "").split("\n")[0].trim() || "unknown");
  }
  return qemuVersions.get(qemu)!;
}

function hostDescription(): string {
  const c = cpus();
  return `${hostname()} (${c.length} x ${c[0]?.model ?? "unknown CPU"})`;
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

interface Machine {
  accel: "kvm" | "tcg";
  icount: boolean;
}

/** Pick the accelerator: KVM only when it really boots a kernel, else TCG, with a note saying why. */
async function chooseMachine(req: EvaluationRequest, qemu: string, image: BuiltImage, cacheDir: string, note: (s: string) => void): Promise<Machine> {
  const deterministic = req.deterministic ?? req.target.vm.deterministic;
  if (deterministic) {
    note(req.target.vm.accel === "kvm" ? "deterministic mode (-icount) needs TCG: using TCG although the target asks for KVM" : "using TCG with -icount (deterministic mode)");
    return { accel: "tcg", icount: true };
  }
  if (req.target.vm.accel === "tcg") {
    note("using TCG (target.vm.accel: tcg)");
    return { accel: "tcg", icount: false };
  }
  if (req.target.vm.arch === "riscv" && process.arch !== "riscv64") {
    note(`a riscv64 guest cannot use KVM on this ${process.arch} host: using TCG`);
    return { accel: "tcg", icount: false };
  }
  const probe = await probeAccel({ qemu, kernel: image.kernel, cacheDir });
  if (probe.usable) return { accel: "kvm", icount: false };
  note(`KVM unusable (${probe.reason}): using TCG, which is much slower`);
  return { accel: "tcg", icount: false };
}

function emptyResult(outcome: Outcome, t0: number, notes: string[], paramStatus: Record<string, ParamStatus> = {}): EvaluationResult {
  return {
    outcome,
    metrics: {},
    paramStatus,
    timings: { buildS: seconds(Date.now() - t0), bootS: 0, benchmarkS: 0, totalS: seconds(Date.now() - t0) },
    logExcerpt: outcome.ok ? "" : outcome.evidence ?? "",
    provenance: { kernel: "", qemu: "", accel: "tcg", icount: false, host: hostDescription() },
    notes,
  };
}

/**
 * Evaluate one configuration. Never throws for a failure of the guest or of the configuration; bad
 * input that is the caller's fault (unknown parameter names) and faults of the harness come back as
 * phase "harness" with the message as evidence.
 */
export async function evaluate(req: EvaluationRequest): Promise<EvaluationResult> {
  const t0 = Date.now();
  const notes: string[] = [];
  const note = (s: string) => {
    notes.push(s);
    req.onNote?.(s);
  };
  const cacheDir = req.cacheDir ?? defaultCacheDir();

  let layer: ConfigLayer;
  try {
    layer = buildConfigLayer(req.target, req.params, req.config);
  } catch (e) {
    return emptyResult({ ok: false, phase: "harness", evidence: (e as Error).message }, t0, notes);
  }
  const refused = layer.rejected.filter((r) => r.required);
  if (refused.length > 0) {
    // Refused on the host: nothing would be gained by booting.
    const evidence = refused.map((r) => `${r.name}: ${r.problem}`).join("\n");
    return emptyResult({ ok: false, phase: "config", evidence: `required parameter(s) refused before boot:\n${evidence}` }, t0, notes, layer.paramStatus);
  }

  let qemu: string;
  let image: BuiltImage;
  try {
    qemu = findQemu(req.target.vm.qemu ?? defaultQemu(req.target.vm.arch));
  } catch (e) {
    return emptyResult({ ok: false, phase: "harness", evidence: (e as Error).message }, t0, notes);
  }
  try {
    image = buildImage(req.target, { cacheDir, onNote: note });
  } catch (e) {
    const phase: FailurePhase = e instanceof WayfinderError ? "build" : "harness";
    return emptyResult({ ok: false, phase, evidence: `image build failed: ${(e as Error).message}` }, t0, notes);
  }
  const machine = await chooseMachine(req, qemu, image, cacheDir, note);

  const work = mkdtempSync(join(tmpdir(), "wf-eval-"));
  const initrd = join(work, "initrd.img");
  writeFileSync(initrd, appendInitrd(readFileSync(image.initrd), writeCpio(layer.entries)));
  const buildS = seconds(Date.now() - t0);
  const bootParams = req.params.filter((p) => p.phase === "boot" && p.name in req.config && !(p.name in layer.paramStatus)).map((p) => p.name);

  const provenance: EvaluationProvenance = { kernel: image.kernelVersion, qemu: qemuVersion(qemu), accel: machine.accel, icount: machine.icount, host: hostDescription(), image: image.key };
  const repeats = Math.max(1, Math.floor(req.repeat ?? 1));
  const values: number[] = [];
  const metricSums: Record<string, number> = {};
  let last: EvaluationResult | undefined;
  let bootMs = 0;
  let benchMs = 0;
  try {
    for (let r = 0; r < repeats; r++) {
      const { file, args } = qemuArgv({
        qemu, accel: machine.accel, icount: machine.icount, memoryMiB: req.target.vm.memoryMiB, cpus: req.target.vm.cpus,
        kernel: image.kernel, initrd, append: layer.append, markerSocket: join(work, `markers-${r}.sock`), arch: req.target.vm.arch ?? "x86",
      });
      const run = await runQemu({
        file, args, markerSocket: join(work, `markers-${r}.sock`), bootTimeoutS: req.target.timeouts.bootS, totalTimeoutS: req.target.timeouts.totalS,
        benchmarkTimeoutS: req.target.timeouts.benchmarkS, signal: req.signal, markersOnConsole: markerChannel(req.target.vm.arch) === "console",
      });
      const markers = parseMarkers(run.markerLines);
      const c = classifyRun({ ...run, markers }, layer, req.target, bootParams);
      const agentAt = stageTime(markers, "agent");
      const benchStart = stageTime(markers, "bench-start");
      const benchEnd = stageTime(markers, "bench-end");
      bootMs += agentAt ?? 0;
      benchMs += benchStart !== undefined && benchEnd !== undefined ? benchEnd - benchStart : 0;
      let outcome = c.outcome;
      if (!outcome.ok && run.killReason) outcome = { ...outcome, evidence: `${run.killReason}\n${outcome.evidence ?? ""}` };
      last = {
        outcome,
        metrics: c.metrics,
        paramStatus: c.paramStatus,
        timings: { buildS, bootS: seconds(bootMs / (r + 1)), benchmarkS: seconds(benchMs / (r + 1)), totalS: seconds(Date.now() - t0) },
        logExcerpt: logExcerpt(run.console, run.consoleBytes, markers.appLog, outcome),
        provenance,
        notes,
        benchmarkOutput: markers.output?.slice(0, 8192),
      };
      if (!outcome.ok) return last;
      values.push(outcome.value);
      for (const [k, v] of Object.entries(c.metrics)) metricSums[k] = (metricSums[k] ?? 0) + v;
    }
  } catch (e) {
    return emptyResult({ ok: false, phase: "harness", evidence: `harness error: ${(e as Error).stack ?? e}` }, t0, notes);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return {
    ...last!,
    outcome: { ok: true, value: mean },
    metrics: Object.fromEntries(Object.entries(metricSums).map(([k, v]) => [k, v / values.length])),
    repeats: repeats > 1 ? values : undefined,
    timings: { ...last!.timings, totalS: seconds(Date.now() - t0) },
  };
}

/** The record's log: the last lines of the console plus the application's log tail, at most ~8 KB. */
function logExcerpt(console: string, total: number, appLog: string | undefined, outcome: Outcome): string {
  const tail = console.length > 6000 ? console.slice(-6000) : console;
  const parts = [`console (${total} bytes, last part):`, tail.replace(/\r/g, "")];
  if (appLog) parts.push("application log (tail):", appLog.slice(-1500));
  if (!outcome.ok && outcome.evidence) parts.unshift(`evidence: ${outcome.evidence.slice(0, 1500)}`);
  return parts.join("\n");
}
