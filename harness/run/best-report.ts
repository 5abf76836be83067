/**
 * `wayfinder best`: the best configuration of a study written as what an engineer reviews and applies
 * — for a Linux guest a sysctl.conf fragment (and tmpfiles.d lines for /sys files), the kernel command
 * line and the application's config files (plus, when the job builds its kernel, the Kconfig lines of its
 * compile-time options and the kernel's arch); for a Unikraft unikernel the Kconfig lines of its .config,
 * its command line, its initrd files and the benchmark command — each as a diff against the default
 * configuration, with the measured gain and whether it exceeds the repeat noise. Pure: rendering a configuration is injected (the CLI uses the
 * VM harness's own renderers, so the report shows exactly what the guest was given).
 */
import type { Direction } from "../../lib/datasets/types";
import type { Config } from "../../lib/search/searcher";
import type { EvaluationRecord, StudyInfo } from "../store/study-store";
import { unifiedDiff } from "./line-diff";
import { formatGain, formatValue, gain } from "./progress";
import { bestEvaluation } from "./run-study";

export interface RenderedConfig {
  /** Runtime parameters: the /proc/sys or /sys file each is written to, and the value written. */
  runtime: Array<{ name: string; path: string; value: string }>;
  /** The kernel command line the guest was booted with (boot parameters included). */
  cmdline: string;
  /** The application's rendered config files. */
  files: Array<{ path: string; content: string }>;
  /**
   * The .config lines (CONFIG_X=v, `# CONFIG_X is not set`) the build merges in: a Unikraft app's, or a
   * Linux kernel's compile-time options when the job builds its kernel (then `kernel` is set too).
   */
  kconfig?: string;
  /** Linux with target.build: the kernel's ARCH and the base configuration the fragment goes on top of. */
  kernel?: { arch: string; base: string };
  /** Unikraft: the host-side benchmark command, when a tool (not the console) measures. */
  benchmark?: string;
}

export interface Measured {
  seq: number;
  value: number;
  std: number;
  repeats: number;
}

export interface BestReport {
  study: string;
  objective: string;
  direction: Direction;
  best: Measured & { config: Config };
  default?: Measured & { config: Config };
  /** Relative gain of best over default in the objective's direction (0.1 = 10 % better). */
  gain?: number;
  /** True when |best - default| exceeds twice the standard error of the difference of the two means. */
  beyondNoise?: boolean;
  changed: Record<string, { default: unknown; best: unknown }>;
  sysctlDiff: string;
  sysfsDiff: string;
  cmdline: { default: string; best: string };
  fileDiffs: Array<{ path: string; diff: string }>;
  /** Unikraft, or Linux with kernel builds: the Kconfig fragment's diff (only the .config lines that differ). */
  kconfigDiff?: string;
  /** Linux with kernel builds: the ARCH the kernels were built for and their base configuration. */
  kernel?: { arch: string; base: string };
  /** Unikraft: the benchmark command of the default and of the best configuration. */
  benchmark?: { default: string; best: string };
  text: string;
}

/** sysctl.conf key for a /proc/sys file: dots between components, or slashes when a component has a dot. */
export function sysctlKey(path: string): string {
  const parts = path.replace(/^\/proc\/sys\//, "").split("/");
  return parts.some((p) => p.includes(".")) ? parts.join("/") : parts.join(".");
}

function sysctlFragment(r: RenderedConfig): string {
  return r.runtime
    .filter((x) => x.path.startsWith("/proc/sys/"))
    .map((x) => `${sysctlKey(x.path)} = ${x.value}`)
    .sort()
    .join("\n");
}

/** /sys files are not sysctls: systemd-tmpfiles "w" lines apply them at boot. */
function sysfsFragment(r: RenderedConfig): string {
  return r.runtime
    .filter((x) => x.path.startsWith("/sys/"))
    .map((x) => `w ${x.path} - - - - ${x.value}`)
    .sort()
    .join("\n");
}

function measured(e: EvaluationRecord): Measured & { config: Config } {
  const value = (e.outcome as { ok: true; value: number }).value;
  return { seq: e.seq, value, std: e.metrics?.objective_std ?? 0, repeats: e.repeats?.length ?? 1, config: e.config };
}

export function bestReport(
  info: StudyInfo,
  evaluations: readonly EvaluationRecord[],
  render: (config: Config) => RenderedConfig,
  location: string,
): BestReport | undefined {
  const bestEval = bestEvaluation(evaluations, info.direction);
  if (!bestEval) return undefined;
  const best = measured(bestEval);
  const defEval = evaluations.find((e) => e.isDefault && e.state === "done");
  const def = defEval?.outcome?.ok ? measured(defEval) : undefined;
  const defaultConfig = defEval?.config ?? info.defaultConfig;

  const changed: BestReport["changed"] = {};
  for (const k of new Set([...Object.keys(defaultConfig), ...Object.keys(best.config)])) {
    if (String(defaultConfig[k] ?? "") !== String(best.config[k] ?? "")) changed[k] = { default: defaultConfig[k], best: best.config[k] };
  }
  const rd = render(defaultConfig);
  const rb = render(best.config);
  const labels = { fromLabel: `default (evaluation #${defEval?.seq ?? 0})`, toLabel: `best (evaluation #${best.seq})`, context: 0 };
  const sysctlDiff = unifiedDiff(sysctlFragment(rd), sysctlFragment(rb), labels);
  const sysfsDiff = unifiedDiff(sysfsFragment(rd), sysfsFragment(rb), labels);
  const kernel = rb.kernel;
  const unikraft = rb.kconfig !== undefined && kernel === undefined;
  const kconfigDiff = rb.kconfig !== undefined ? unifiedDiff(rd.kconfig ?? "", rb.kconfig, labels) : undefined;
  const fileDiffs = rb.files.map((f) => ({
    path: f.path,
    diff: unifiedDiff(rd.files.find((d) => d.path === f.path)?.content ?? "", f.content, { ...labels, context: 2 }),
  }));

  let g: number | undefined;
  let beyondNoise: boolean | undefined;
  if (def) {
    g = gain(best.value, def.value, info.direction);
    const se = Math.sqrt(best.std ** 2 / best.repeats + def.std ** 2 / def.repeats);
    beyondNoise = best.repeats > 1 && def.repeats > 1 ? Math.abs(best.value - def.value) > 2 * se : undefined;
  }

  const cv = (m: Measured) => (m.repeats > 1 ? `, cv ${((m.std / Math.abs(m.value)) * 100).toFixed(2)}% over ${m.repeats} repeats` : ", 1 repeat");
  const lines: string[] = [];
  lines.push(`# best configuration of study "${info.name}" (${location})`);
  lines.push(`# ${info.objective} (${info.direction === "max" ? "higher" : "lower"} is better)`);
  lines.push(`#   best:    evaluation #${best.seq}: ${formatValue(best.value)}${cv(best)}`);
  if (def) {
    lines.push(`#   default: evaluation #${def.seq}: ${formatValue(def.value)}${cv(def)}`);
    const noise = beyondNoise === undefined ? "run with --repeats 2 or more to compare it with the noise"
      : beyondNoise ? "beyond the repeat noise (difference > 2 standard errors)"
      : "NOT beyond the repeat noise (difference <= 2 standard errors)";
    lines.push(`#   gain over default: ${formatGain(g!)} (${noise})`);
    // For a lower-is-better objective the gain is default / best - 1 (how many times faster or smaller);
    // say also how much the measured value itself changed, which is what e.g. a footprint study reports.
    if (info.direction === "min" && def.value !== 0)
      lines.push(`#   change of the ${info.objective}: ${formatGain(best.value / def.value - 1)} (the gain above is default / best - 1)`);
  } else {
    lines.push(`#   the default configuration ${defEval ? "failed" : "was not evaluated"}: no gain can be given`);
  }
  if (best.seq === (defEval?.seq ?? -1)) lines.push("#   the default is the best configuration found: nothing to change");
  lines.push(`# ${Object.keys(changed).length} parameter(s) differ from the default`);
  lines.push("");
  const sameOr = (a: string, b: string) => (a === b ? [`(same as the default) ${b}`] : [`-${a}`, `+${b}`]);
  if (unikraft) {
    // A unikernel has no sysctls: what changes is its build (Kconfig), its boot arguments and its files.
    lines.push("## Kconfig fragment (the app's .config lines that differ; the + lines go into .config before make olddefconfig)");
    lines.push(kconfigDiff || "(no Kconfig value differs from the default)");
    lines.push("## unikernel command line (boot arguments)");
    lines.push(...sameOr(rd.cmdline, rb.cmdline));
  } else {
    if (kernel) {
      // Built kernels: the compile-time options first, they decide which kernel the rest runs on.
      lines.push(`## Kconfig fragment (${kernel.arch} kernel; the compile-time options that differ: the + lines go on top of the base ${kernel.base} before make olddefconfig)`);
      lines.push(kconfigDiff || "(no compile-time option differs from the default)");
    }
    lines.push("## sysctl.conf fragment (e.g. /etc/sysctl.d/90-wayfinder.conf: the + lines)");
    lines.push(sysctlDiff || "(no runtime sysctl differs from the default)");
    if (sysfsDiff) {
      lines.push("## /sys settings (systemd-tmpfiles, e.g. /etc/tmpfiles.d/90-wayfinder.conf: the + lines)");
      lines.push(sysfsDiff);
    }
    lines.push("## kernel command line");
    lines.push(...sameOr(rd.cmdline, rb.cmdline));
  }
  for (const f of fileDiffs) {
    lines.push(`## application config ${f.path}`);
    lines.push(f.diff || "(same as the default)");
  }
  if (rb.benchmark !== undefined) {
    lines.push("## benchmark command (host side)");
    lines.push(...sameOr(rd.benchmark ?? "", rb.benchmark));
  }
  return {
    study: info.name, objective: info.objective, direction: info.direction, best,
    ...(def ? { default: def } : {}), gain: g, beyondNoise, changed, sysctlDiff, sysfsDiff,
    cmdline: { default: rd.cmdline, best: rb.cmdline }, fileDiffs,
    ...(kconfigDiff !== undefined ? { kconfigDiff } : {}),
    ...(kernel ? { kernel } : {}),
    ...(rb.benchmark !== undefined ? { benchmark: { default: rd.benchmark ?? "", best: rb.benchmark } } : {}),
    text: lines.join("\n").replace(/\n+$/, "") + "\n",
  };
}
