/**
 * `wayfinder bench real-effect`: shows that a configuration found by a search beats the default by more
 * than the repeat noise, from recorded studies only (never typed by hand):
 *
 *   1. `--search S --configs-out DIR` writes what to re-measure, taken from the search study S:
 *      DIR/reproduce.json  the search's best;
 *      DIR/ablation.json   its OS part (application parameters at their defaults), its application part
 *                          (OS parameters at their defaults), and per parameter the best changed: that
 *                          change alone (and with --leave-one-out the best without it).
 *      Both are run with `wayfinder run <job> --configs FILE --repeats R` (a fresh study: new boots).
 *   2. `--search S... --reproduce R... [--ablation A...] --write` writes the BENCHMARKS.md section
 *      "real-effect": the search, the re-measured default and best with their repeat noise, the
 *      configuration as a diff against the default, and which of its changes carry the gain. Each
 *      re-measurement study is matched to the search of the same job, so one section can hold several.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Direction } from "../../../lib/datasets/types";
import { writeBenchmarkSection } from "../../../lib/bench/section";
import { WayfinderError, quote } from "../../../lib/errors";
import type { Config } from "../../../lib/search/searcher";
import { mean, std } from "../../run/aggregate-repeats";
import { formatGain, formatValue, gain } from "../../run/progress";
import { renderForReview } from "../../run/render-for-review";
import { bestEvaluation } from "../../run/run-study";
import { guestConfig, runnableJobFromText } from "../../run/runnable-job";
import { unifiedDiff } from "../../run/line-diff";
import { configKey } from "../../store/config-key";
import { SqliteStudyStore } from "../../store/sqlite-study-store";
import type { EvaluationRecord, StudyInfo } from "../../store/study-store";

export const summary = "bench real-effect: re-measure a search's best against the default (configs to run, then the BENCHMARKS.md section)";

const usage = `usage: wayfinder bench real-effect --search STUDY --configs-out DIR
       wayfinder bench real-effect --search STUDY [--search STUDY ...] --reproduce STUDY [--reproduce STUDY ...]
                                   [--ablation STUDY ...] [--command TEXT ...] [--note TEXT ...] [--write] [--out FILE]

Step 1 (--configs-out) writes DIR/reproduce.json (the search's best) and DIR/ablation.json (its OS part,
its application part, each of its changes alone on the default, and with --leave-one-out the best without
each change), to be measured with
  wayfinder run <job> --configs DIR/reproduce.json --repeats 5 --store reproduce.sqlite
  wayfinder run <job> --configs DIR/ablation.json --store ablation.sqlite
Step 2 prints the "real-effect" section from the studies (and with --write puts it in BENCHMARKS.md, or
--out FILE): the search, the re-measured default and best with their repeat noise (CV, and whether the
difference exceeds 2 standard errors), the configuration as a diff, and which changes carry the gain.
Several searches (e.g. the full space and an OS-only variant of the job) may be given: each --reproduce
and --ablation study is matched to the search of the same job.`;

interface Study {
  info: StudyInfo;
  evals: EvaluationRecord[];
  location: string;
}

export interface Derived {
  best: Config;
  osPart: Config;
  appPart: Config;
  /** Parameters whose value in the best differs from the default, in job order. */
  changed: string[];
  solo: Map<string, Config>;
  without: Map<string, Config>;
}

const isOk = (e: EvaluationRecord) => e.state === "done" && e.outcome?.ok === true;
const valueOf = (e: EvaluationRecord) => (e.outcome as { value: number }).value;
const repeatValues = (e: EvaluationRecord) =>
  (e.repeats ?? []).filter((r) => r.outcome.ok).map((r) => (r.outcome as { value: number }).value);

function openStudy(file: string): Study {
  const s = SqliteStudyStore.open(file, { readonly: true });
  try {
    return { info: s.info(), evals: s.evaluations(), location: file };
  } finally {
    s.close();
  }
}

function phases(info: StudyInfo): Map<string, string> {
  const rj = runnableJobFromText(info.jobText, info.jobPath);
  return new Map(rj.job.parameters.map((p) => [p.name, p.phase as string]));
}

/**
 * The configurations that tell a real effect apart and attribute it: the best split into its OS part
 * (runtime + boot, application at the default) and its application part, and per changed parameter the
 * change alone (on the default) and the best without it (that parameter back at its default). Pure.
 */
export function deriveConfigs(best: Config, def: Config, phaseOf: ReadonlyMap<string, string>): Derived {
  const changed = [...phaseOf.keys()].filter((k) => k in best && String(best[k]) !== String(def[k]));
  const mix = (take: (k: string) => boolean): Config => {
    const out: Config = { ...def };
    for (const k of changed) if (take(k)) out[k] = best[k];
    return out;
  };
  const solo = new Map<string, Config>();
  const without = new Map<string, Config>();
  for (const k of changed) {
    solo.set(k, mix((x) => x === k));
    without.set(k, mix((x) => x !== k));
  }
  return {
    best: { ...best },
    osPart: mix((k) => phaseOf.get(k) !== "application"),
    appPart: mix((k) => phaseOf.get(k) === "application"),
    changed,
    solo,
    without,
  };
}

function searchBest(search: Study): { best: EvaluationRecord; def: EvaluationRecord } {
  const def = search.evals.find((e) => e.isDefault && isOk(e));
  if (!def) throw new WayfinderError(`${search.location}: the default configuration has no successful evaluation; nothing to compare with`);
  const best = bestEvaluation(search.evals, search.info.direction);
  if (!best || best.seq === def.seq) {
    throw new WayfinderError(`${search.location}: no configuration beat the default in ${search.evals.length} evaluations; there is no effect to re-measure`);
  }
  return { best, def };
}

export function deriveFromSearch(search: Study): Derived {
  const { best, def } = searchBest(search);
  return deriveConfigs(best.config, def.config, phases(search.info));
}

/** One decimal: the effects of single parameters can be a tenth of a percent, which formatValue rounds away. */
const v1 = (x: number) => x.toFixed(1);
const gain2 = (g: number) => `${g >= 0 ? "+" : ""}${(g * 100).toFixed(2)}%`;

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

function provenanceLine(studies: Study[]): string {
  const seen = (f: (p: Record<string, unknown>) => unknown) =>
    [...new Set(studies.flatMap((s) => s.evals.map((e) => e.provenance)).filter(Boolean).map((p) => String(f(p!) ?? "?")))].join(" / ");
  return `${seen((p) => p.qemu)}; accelerator ${seen((p) => p.accel)}, ` +
    `${seen((p) => (p.icount ? "with -icount (deterministic mode)" : "in real time (no -icount, the *-realtime studies)"))}; ` +
    `guest kernel ${seen((p) => p.kernel)}`;
}

/** Which guest image each study booted: a rebuilt image (the guest agent changed) shifts values a little. */
function imageLines(studies: Study[]): string[] {
  const images = new Map<string, string[]>();
  for (const s of studies) {
    for (const img of new Set(s.evals.map((e) => e.provenance?.image).filter((x): x is string => typeof x === "string"))) {
      images.set(img, [...(images.get(img) ?? []), `\`${s.location}\``]);
    }
  }
  if (images.size < 2) return [];
  return [
    `Guest images (digest of kernel, modules, packages and guest agent): ${[...images].map(([img, locs]) => `${img} in ${locs.join(", ")}`).join("; ")}. ` +
      "Gains are always computed within one study (default and configuration on the same image).",
    "",
  ];
}

function searchLines(search: Study): string[] {
  const { best, def } = searchBest(search);
  const done = search.evals.filter((e) => e.state === "done");
  const good = done.filter((e) => isOk(e) && !e.isDefault);
  const dir = search.info.direction;
  const d = valueOf(def);
  const better = good.filter((e) => gain(valueOf(e), d, dir) > 0);
  const sorted = good.map(valueOf).sort((a, b) => a - b);
  const seconds = done.map((e) => e.timings?.total).filter((x): x is number => Number.isFinite(x));
  // When was the best (or something within 1 % of it) first seen: how long the search needed.
  const near = good.find((e) => gain(valueOf(e), valueOf(best), dir) >= -0.01);
  return [
    `Study \`${search.location}\`: job ${search.info.name} (${search.info.objective}, ${dir === "max" ? "higher" : "lower"} is better), ` +
      `searcher ${search.info.searcher} (seed ${search.info.seed}), ${done.length} evaluations (${search.info.repeats} repeat each), ` +
      `${done.filter((e) => !isOk(e)).length} failed; ${seconds.length ? `${formatValue(mean(seconds))} s per evaluation on average` : ""}.`,
    "",
    `- default (evaluation #${def.seq}): ${v1(d)}`,
    `- searched configurations: min ${v1(sorted[0])}, median ${v1(sorted[Math.floor(sorted.length / 2)])}, ` +
      `max ${v1(sorted[sorted.length - 1])}; ${better.length} of ${good.length} beat the default, ` +
      `${good.filter((e) => gain(valueOf(e), d, dir) > 0.01).length} by more than 1 %`,
    `- best: evaluation #${best.seq}, ${v1(valueOf(best))} (${gain2(gain(valueOf(best), d, dir))} over the default)` +
      (near && near.seq !== best.seq ? `; within 1 % of it already at evaluation #${near.seq}` : ""),
  ];
}

interface Row {
  label: string;
  values: number[];
}

function rowLine(r: Row, def: Row, dir: Direction): string {
  const m = mean(r.values);
  const dm = mean(def.values);
  const cv = std(r.values) / Math.abs(m);
  const isDef = r === def;
  const se = Math.sqrt(std(r.values) ** 2 / r.values.length + std(def.values) ** 2 / def.values.length);
  const diff = Math.abs(m - dm);
  const verdict = isDef ? "-" : r.values.length < 2 || def.values.length < 2 ? "n/a (1 repeat)" : diff > 2 * se ? "yes" : "no";
  const shown = r.values.length > 6 ? `${r.values.slice(0, 6).map(v1).join(", ")}, ...` : r.values.map(v1).join(", ");
  return `| ${r.label} | ${r.values.length} | ${shown} | ${v1(m)} | ${pct(cv)} | ${isDef ? "-" : gain2(gain(m, dm, dir))} | ${verdict} |`;
}

/** Rows of a reproduction study, each labelled by what it is relative to the search's best. */
function reproductionLines(rep: Study, derived: Derived, dir: Direction): { lines: string[]; bestGain?: number; beyond?: boolean; mode: string } {
  // Later entries win: an OS-only search's best is also its own OS part, and is labelled as the best.
  const labels = new Map<string, string>([
    [configKey(derived.osPart), "its OS part (runtime + boot; application at default)"],
    [configKey(derived.appPart), "its application part (OS at default)"],
    [configKey(derived.best), "the search's best"],
  ]);
  const done = rep.evals.filter(isOk);
  const defEval = done.find((e) => e.isDefault);
  if (!defEval) return { lines: [`Study \`${rep.location}\`: the default did not succeed; nothing to compare.`], mode: "" };
  const def: Row = { label: "default", values: repeatValues(defEval) };
  const rows: Row[] = [def];
  let bestRow: Row | undefined;
  for (const e of done) {
    if (e.isDefault) continue;
    const row = { label: labels.get(configKey(e.config)) ?? `evaluation #${e.seq}`, values: repeatValues(e) };
    if (configKey(e.config) === configKey(derived.best)) bestRow = row;
    rows.push(row);
  }
  const failed = rep.evals.filter((e) => e.state === "done" && !isOk(e));
  const p = rep.evals.find((e) => e.provenance)?.provenance ?? {};
  const lines = [
    `Study \`${rep.location}\` (${p.icount ? "deterministic mode, -icount" : "real time, no -icount"}; ${rep.info.repeats} boots per configuration` +
      `${failed.length ? `; ${failed.length} configuration(s) failed: ${failed.map((e) => `#${e.seq} ${(e.outcome as { phase?: string }).phase ?? "?"}`).join(", ")}` : ""}):`,
    "",
    "| configuration | boots | values | mean | CV | gain over default | beyond noise (> 2 SE) |",
    "|---|---|---|---|---|---|---|",
    ...rows.map((r) => rowLine(r, def, dir)),
  ];
  const mode = p.icount ? "deterministic mode" : "real time";
  if (!bestRow) return { lines, mode: "" };
  const m = mean(bestRow.values);
  const dm = mean(def.values);
  const cvs = `CV of the default ${pct(std(def.values) / Math.abs(dm))}, of the best ${pct(std(bestRow.values) / Math.abs(m))}`;
  const se = Math.sqrt(std(bestRow.values) ** 2 / bestRow.values.length + std(def.values) ** 2 / def.values.length);
  return {
    lines,
    bestGain: gain(m, dm, dir),
    beyond: bestRow.values.length > 1 && def.values.length > 1 ? Math.abs(m - dm) > 2 * se : undefined,
    mode: ` (${mode}, ${bestRow.values.length} + ${def.values.length} boots; ${cvs})`,
  };
}

function configLines(search: Study, derived: Derived, def: Config): string[] {
  const phaseOf = phases(search.info);
  const rj = runnableJobFromText(search.info.jobText, search.info.jobPath);
  const render = renderForReview(rj.target, rj.params);
  const rd = render(guestConfig(rj, def));
  const rb = render(guestConfig(rj, derived.best));
  const lines = [
    `${derived.changed.length} of ${phaseOf.size} parameters differ from the default:`,
    "",
    "| parameter | phase | default | best |",
    "|---|---|---|---|",
    ...derived.changed.map((k) => `| ${k} | ${phaseOf.get(k)} | ${def[k]} | ${derived.best[k]} |`),
    "",
    "As the guest was given it (`wayfinder best` shows the same for any study):",
    "",
    "```diff",
  ];
  const labels = { fromLabel: "default", toLabel: "best", context: 0 };
  const sysctl = (r: typeof rd) => r.runtime.map((x) => `${x.path} = ${x.value}`).join("\n");
  const d1 = unifiedDiff(sysctl(rd), sysctl(rb), labels);
  if (d1) lines.push(d1.trimEnd());
  if (rd.cmdline !== rb.cmdline) lines.push("--- kernel command line (default)", "+++ kernel command line (best)", `-${rd.cmdline}`, `+${rb.cmdline}`);
  for (const f of rb.files) {
    const d = unifiedDiff(rd.files.find((x) => x.path === f.path)?.content ?? "", f.content, { fromLabel: `${f.path} (default)`, toLabel: `${f.path} (best)`, context: 0 });
    if (d) lines.push(d.trimEnd());
  }
  lines.push("```");
  return lines;
}

function ablationLines(abl: Study, derived: Derived, dir: Direction): string[] {
  const done = abl.evals.filter(isOk);
  const def = done.find((e) => e.isDefault);
  const byKey = new Map(done.map((e) => [configKey(e.config), e]));
  const best = byKey.get(configKey(derived.best));
  if (!def) return [`Study \`${abl.location}\`: the default did not succeed; no attribution.`];
  const v = (c: Config | undefined) => {
    const e = c && byKey.get(configKey(c));
    return e ? mean(repeatValues(e)) : undefined;
  };
  const dv = mean(repeatValues(def));
  const bv = best ? mean(repeatValues(best)) : undefined;
  const rows = derived.changed.map((k) => {
    const s = v(derived.solo.get(k));
    const w = v(derived.without.get(k));
    return { k, s, w, soloGain: s === undefined ? undefined : gain(s, dv, dir), lost: w === undefined || bv === undefined ? undefined : gain(bv, w, dir) };
  });
  // Largest contribution first: what the best loses without the change, then the change alone.
  rows.sort((a, b) => (b.lost ?? -Infinity) - (a.lost ?? -Infinity) || (b.soloGain ?? -Infinity) - (a.soloGain ?? -Infinity));
  const cell = (x: number | undefined, g: number | undefined) => (x === undefined ? "not measured" : `${v1(x)} (${gain2(g!)})`);
  const part = (label: string, c: Config) => {
    // The application part of an OS-only search is the default itself: nothing to say about it.
    if (configKey(c) === configKey(def.config)) return `- ${label}: the default itself (no such parameter changed)`;
    const x = v(c);
    return `- ${label}: ${x === undefined ? "not measured" : `${v1(x)} (${gain2(gain(x, dv, dir))} over the default)`}`;
  };
  const anyWithout = rows.some((r) => r.w !== undefined);
  return [
    `Study \`${abl.location}\` (${abl.info.repeats} boot(s) each): the default measured ${v1(dv)}` +
      (bv !== undefined ? `, the best ${v1(bv)} (${gain2(gain(bv, dv, dir))})` : "") +
      `. "alone" is the default with only that change (gain over the default)` +
      (anyWithout ? `; "best without it" is the best with that parameter back at its default (and how much better the best is than that).` : "."),
    "",
    part("its OS part (runtime + boot parameters of the best, application at the default)", derived.osPart),
    part("its application part (application parameters of the best, OS at the default)", derived.appPart),
    "",

    anyWithout ? "| parameter | best's value | alone | best without it |" : "| parameter | default | best's value | alone (gain over the default) |",
    anyWithout ? "|---|---|---|---|" : "|---|---|---|---|",
    ...rows.map((r) => anyWithout
      ? `| ${r.k} | ${derived.best[r.k]} | ${cell(r.s, r.soloGain)} | ${cell(r.w, r.lost)} |`
      : `| ${r.k} | ${def.config[r.k]} | ${derived.best[r.k]} | ${cell(r.s, r.soloGain)} |`),
  ];
}

export interface RealEffectCase {
  search: Study;
  reproductions: Study[];
  ablation?: Study;
}

/**
 * Same job: compared on what defines the measurement in the parsed job (space, objective, target), not on
 * the file's text (a comment edited between studies does not matter) nor on how the study was run
 * (budget, searcher, the --configs list a re-measurement records).
 */
function sameJob(a: StudyInfo, b: StudyInfo): boolean {
  const defining = (i: StudyInfo) => {
    const j = (i.job ?? {}) as Record<string, unknown>;
    return JSON.stringify([i.name, j.objectives, j.parameters, j.fixed, j.vary, j.target]);
  };
  return defining(a) === defining(b);
}

/** Assigns every re-measurement study to the search of the same job; one that matches none is an error. */
export function groupCases(searches: Study[], reproductions: Study[], ablations: Study[]): RealEffectCase[] {
  const cases: RealEffectCase[] = searches.map((search) => ({ search, reproductions: [] }));
  const find = (s: Study) => {
    const c = cases.find((x) => sameJob(x.search.info, s.info));
    if (!c) {
      throw new WayfinderError(`${s.location}: a study of job ${quote(s.info.name)}, but no --search study has that job ` +
        `(searches: ${searches.map((x) => `${x.location} = ${x.info.name}`).join(", ")}); re-measure with the search's job file`);
    }
    return c;
  };
  for (const r of reproductions) find(r).reproductions.push(r);
  for (const a of ablations) {
    const c = find(a);
    if (c.ablation) throw new WayfinderError(`${a.location}: a second --ablation study for ${c.search.location} (first: ${c.ablation.location})`);
    c.ablation = a;
  }
  return cases;
}

function caseLines(c: RealEffectCase): { lines: string[]; verdicts: string[] } {
  const { search, reproductions, ablation } = c;
  const derived = deriveFromSearch(search);
  const { def } = searchBest(search);
  const dir = search.info.direction;
  const out = [`### Job ${search.info.name}: the search`, "", ...searchLines(search), ""];
  const verdicts: string[] = [];
  if (reproductions.length) out.push(`### Job ${search.info.name}: re-measured in fresh studies (new boots)`, "");
  for (const r of reproductions) {
    const x = reproductionLines(r, derived, dir);
    out.push(...x.lines, "");
    if (x.bestGain !== undefined) {
      verdicts.push(`${search.info.name}, ${r.location}: ${formatGain(x.bestGain)}${x.mode}, ` +
        `${x.beyond === undefined ? "noise not measurable (1 repeat)" : x.beyond ? "beyond the repeat noise" : "NOT beyond the repeat noise"}`);
    }
  }
  out.push(`### Job ${search.info.name}: the configuration (diff against the default)`, "", ...configLines(search, derived, def.config), "");
  if (ablation) out.push(`### Job ${search.info.name}: which changes carry the gain`, "", ...ablationLines(ablation, derived, dir), "");
  return { lines: out, verdicts };
}

export function realEffectSection(cases: RealEffectCase[], commands: string[], notes: string[]): string {
  const all = cases.flatMap((c) => [c.search, ...c.reproductions]);
  const out = [
    "## real-effect: a configuration found by the search, re-measured",
    "",
    "Commands (from the repository root):",
    "",
    "```",
    ...commands,
    "```",
    "",
    `Host: ${all.map((s) => s.evals.find((e) => e.provenance)?.provenance?.host).find(Boolean) ?? "?"}; ${provenanceLine(all)}.`,
    "",
    ...imageLines(cases.flatMap((c) => [c.search, ...c.reproductions, ...(c.ablation ? [c.ablation] : [])])),
  ];
  const verdicts: string[] = [];
  for (const c of cases) {
    const x = caseLines(c);
    out.push(...x.lines);
    verdicts.push(...x.verdicts);
  }
  if (verdicts.length) out.push("### Verdict: the search's best against the default, re-measured", "", ...verdicts.map((v) => `- ${v}`), "");
  out.push(...notes);
  return out.join("\n").trimEnd() + "\n";
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        search: { type: "string", multiple: true },
        "configs-out": { type: "string" },
        reproduce: { type: "string", multiple: true },
        ablation: { type: "string", multiple: true },
        command: { type: "string", multiple: true },
        note: { type: "string", multiple: true },
        write: { type: "boolean" },
        "leave-one-out": { type: "boolean" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new WayfinderError(`${(err as Error).message}; see wayfinder bench real-effect --help`);
  }
  const o = parsed.values;
  if (o.help) {
    console.log(usage);
    return 0;
  }
  if (!o.search?.length) throw new WayfinderError("bench real-effect needs --search STUDY (the search's study file); see --help");
  if (o["configs-out"]) {
    if (o.search.length !== 1) throw new WayfinderError(`--configs-out takes one --search study, got ${o.search.length}`);
    const search = openStudy(o.search[0]);
    const d = deriveFromSearch(search);
    mkdirSync(o["configs-out"], { recursive: true });
    // Under -icount one boot per configuration is exact (repeats agree), so the attribution runs once
    // each; the best itself is re-measured with repeats in its own study.
    const wanted = [d.osPart, d.appPart, ...d.changed.map((k) => d.solo.get(k)!)];
    if (o["leave-one-out"]) wanted.push(...d.changed.map((k) => d.without.get(k)!));
    // The run evaluates the default first anyway; a part equal to the default or to another entry (an
    // OS-only search's best is its own OS part) is listed once.
    const seen = new Set([configKey(searchBest(search).def.config)]);
    const ablation = wanted.filter((c) => !seen.has(configKey(c)) && seen.add(configKey(c)));
    writeFileSync(join(o["configs-out"], "reproduce.json"), JSON.stringify([d.best], null, 2) + "\n");
    writeFileSync(join(o["configs-out"], "ablation.json"), JSON.stringify(ablation, null, 2) + "\n");
    console.log(`${o["configs-out"]}/reproduce.json: the search's best; ${o["configs-out"]}/ablation.json: ${ablation.length} configurations ` +
      `(its OS part, its application part, each of its ${d.changed.length} changes alone${o["leave-one-out"] ? ", the best without each" : ""}: ${d.changed.join(", ")})`);
    return 0;
  }
  if (!o.reproduce?.length) throw new WayfinderError("bench real-effect needs --reproduce STUDY (a `wayfinder run --configs` study) or --configs-out DIR; see --help");
  const cases = groupCases(o.search.map(openStudy), o.reproduce.map(openStudy), (o.ablation ?? []).map(openStudy));
  const body = realEffectSection(cases, o.command ?? [], o.note ?? []);
  if (o.write || o.out) {
    const file = o.out ?? join(import.meta.dirname, "../../../BENCHMARKS.md");
    writeBenchmarkSection(file, "real-effect", body);
    console.log(`wrote section real-effect of ${file}`);
  } else {
    console.log(body);
  }
  return 0;
}
