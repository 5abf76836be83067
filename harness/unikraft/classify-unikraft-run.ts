/**
 * The outcome of one Unikraft evaluation from what each stage observed, as a pure function so every
 * failure class is unit-tested without a checkout:
 * - config: a requested Kconfig value was dropped or conflicts, or a value cannot be rendered;
 * - build: make failed (evidence: the first error lines); timeout: make ran past its limit;
 * - boot: QEMU could not start, or the app never answered before the boot timeout / QEMU exited first
 *   (evidence: the console lines that say why, else its tail);
 * - runtime: the guest died while the benchmark ran;
 * - benchmark: the tool failed, timed out, or its output could not be read strictly;
 * - ok: the objective metric, read from the parsed output.
 */
import type { DroppedValue } from "../../lib/kconfig";
import type { Outcome } from "../../lib/search/searcher";

export interface UnikraftRunTrace {
  /** Problems found before building (conflicting or invalid values, unrenderable templates/arguments). */
  configProblems?: string[];
  build?: { status: "built" | "cached" | "config" | "build" | "timeout"; dropped?: DroppedValue[]; errorLines?: string[] };
  boot?: {
    spawnError?: string;
    ready: boolean;
    /** Set when QEMU exited before the app was ready (or during the benchmark). */
    exit?: { code: number | null; signal: string | null };
    timeoutS?: number;
    console: string;
  };
  bench?: {
    exitCode?: number;
    timedOut: boolean;
    timeoutS?: number;
    spawnError?: string;
    stderr?: string;
    /** The guest had exited by the time the tool finished. */
    guestDied?: boolean;
    guestConsole?: string;
    parseError?: string;
    metrics?: Record<string, number>;
  };
  objective: string;
}

export interface UnikraftClassification {
  outcome: Outcome;
  metrics?: Record<string, number>;
}

const CRASH_LINE = /(CRIT|PANIC|panic|crash|Crash|Assertion|assert|ERR:|Oops|Halting|Page fault|#PF|triple fault|exception|Segmentation)/;

/** The console lines that say why a unikernel stopped, else its last lines. */
export function consoleEvidence(console: string, max = 8): string {
  const lines = console.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim() !== "");
  const crash = lines.filter((l) => CRASH_LINE.test(l));
  return (crash.length ? crash.slice(0, max) : lines.slice(-max)).join("\n");
}

export function classifyUnikraftRun(t: UnikraftRunTrace): UnikraftClassification {
  const fail = (phase: Extract<Outcome, { ok: false }>["phase"], evidence: string): UnikraftClassification => ({ outcome: { ok: false, phase, evidence } });
  if (t.configProblems?.length) return fail("config", t.configProblems.join("\n"));
  const b = t.build;
  if (!b) return fail("harness", "no build result");
  if (b.status === "config") {
    return fail("config", `make olddefconfig did not keep ${b.dropped?.length ?? 0} requested value(s):\n` +
      (b.dropped ?? []).map((d) => `${d.name}: requested ${d.requested}, got ${d.actual ?? "(not set)"}${d.reason ? ` (${d.reason})` : ""}`).join("\n"));
  }
  if (b.status === "build") return fail("build", (b.errorLines ?? []).join("\n") || "make failed");
  if (b.status === "timeout") return fail("timeout", (b.errorLines ?? []).join("\n") || "the build timed out");
  const boot = t.boot;
  if (!boot) return fail("harness", "the unikernel was built but not booted");
  if (boot.spawnError) return fail("harness", `QEMU could not be started: ${boot.spawnError}`);
  if (!boot.ready) {
    const why = boot.exit
      ? `QEMU exited (${boot.exit.signal ? `signal ${boot.exit.signal}` : `status ${boot.exit.code}`}) before the application answered`
      : `the application did not answer within ${boot.timeoutS ?? "?"} s of boot`;
    const ev = consoleEvidence(boot.console);
    return fail("boot", ev ? `${why}; console:\n${ev}` : `${why}; the console is empty`);
  }
  const r = t.bench;
  if (!r) return fail("harness", "the unikernel booted but no benchmark ran");
  if (r.guestDied) {
    const ev = consoleEvidence(r.guestConsole ?? boot.console);
    return fail("runtime", `the unikernel exited during the benchmark${ev ? `; console:\n${ev}` : ""}`);
  }
  if (r.spawnError) return fail("harness", `the benchmark tool could not be started: ${r.spawnError}`);
  if (r.timedOut) return fail("benchmark", `the benchmark did not finish within ${r.timeoutS ?? "?"} s`);
  if (r.exitCode !== undefined && r.exitCode !== 0) {
    return fail("benchmark", `the benchmark tool exited with status ${r.exitCode}${r.stderr?.trim() ? `: ${r.stderr.trim().split("\n").slice(-5).join("\n")}` : ""}`);
  }
  if (r.parseError) return fail("benchmark", r.parseError);
  const value = r.metrics?.[t.objective];
  if (value === undefined || !Number.isFinite(value)) {
    return fail("benchmark", `the benchmark reported no ${t.objective}; it reported ${Object.keys(r.metrics ?? {}).join(", ") || "nothing"}`);
  }
  return { outcome: { ok: true, value }, metrics: r.metrics };
}
