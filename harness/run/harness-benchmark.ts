/**
 * The "harness" section of BENCHMARKS.md, computed from recorded studies (never typed by hand):
 * what an evaluation costs in this run loop, what a random study found against the default, and a
 * re-measured effect (default vs a configuration, each with repeats) with its noise verdict.
 *
 *   npx tsx harness/run/harness-benchmark.ts --random <study.sqlite> --effect <study.sqlite> [--command "..."]...
 */
import { parseArgs } from "node:util";
import { writeBenchmarkSection } from "../../lib/bench/section";
import { WayfinderError } from "../../lib/errors";
import { SqliteStudyStore } from "../store/sqlite-study-store";
import type { EvaluationRecord, StudyInfo } from "../store/study-store";
import { mean, std } from "./aggregate-repeats";
import { formatGain, formatValue, gain } from "./progress";

const ok = (e: EvaluationRecord) => e.state === "done" && e.outcome?.ok === true;
const value = (e: EvaluationRecord) => (e.outcome as { value: number }).value;
const f1 = (x: number) => x.toFixed(1);

function costTable(evals: EvaluationRecord[]): string[] {
  const done = evals.filter((e) => e.state === "done");
  const col = (k: string) => done.map((e) => e.timings?.[k]).filter((x): x is number => Number.isFinite(x));
  const total = col("total");
  const bench = col("benchmarkS");
  const perBoot = total.map((t, i) => t / (done[i].repeats?.length || 1));
  const overhead = perBoot.map((t, i) => t - (bench[i] ?? 0) / (done[i].repeats?.length || 1));
  return [
    "| per VM boot (mean over evaluations) | seconds |",
    "|---|---|",
    `| image build / cache lookup + config layer | ${f1(mean(col("buildS")))} |`,
    `| boot (QEMU start to guest agent) | ${f1(mean(col("bootS")))} |`,
    `| benchmark inside the guest | ${f1(mean(bench) / Math.max(1, mean(done.map((e) => e.repeats?.length || 1))))} |`,
    `| whole evaluation, per boot | ${f1(mean(perBoot))} |`,
    `| overhead (everything but the benchmark), per boot | ${f1(mean(overhead))} |`,
    `| evaluations per hour (1 repeat) | ${f1(3600 / mean(perBoot))} |`,
  ];
}

function describeStudy(info: StudyInfo, evals: EvaluationRecord[], location: string): string[] {
  const done = evals.filter((e) => e.state === "done");
  const def = done.find((e) => e.isDefault);
  const rest = done.filter((e) => !e.isDefault);
  const good = rest.filter(ok);
  const better = def && ok(def) ? good.filter((e) => gain(value(e), value(def), info.direction) > 0) : [];
  const values = good.map(value).sort((a, b) => a - b);
  const lines = [
    `Study \`${location}\`: job ${info.name}, searcher ${info.searcher} (seed ${info.seed}), ${done.length} evaluations ` +
      `(${info.repeats} repeat each), ${done.filter((e) => !ok(e)).length} failed.`,
  ];
  if (def && ok(def)) {
    lines.push(
      `Default: ${formatValue(value(def))} ${info.objective}. Random configurations: min ${formatValue(values[0])}, median ` +
        `${formatValue(values[Math.floor(values.length / 2)])}, max ${formatValue(values[values.length - 1])}; ` +
        `${better.length} of ${rest.length} beat the default.`,
    );
  }
  return lines;
}

function effectLines(info: StudyInfo, evals: EvaluationRecord[], location: string): string[] {
  const done = evals.filter(ok);
  const def = done.find((e) => e.isDefault);
  if (!def) return [`Study \`${location}\`: the default did not succeed; no effect to report.`];
  const reps = (e: EvaluationRecord) => (e.repeats ?? []).filter((r) => r.outcome.ok).map((r) => (r.outcome as { value: number }).value);
  const lines = [
    `| configuration | repeats | values | mean | CV | gain over default | beyond noise (> 2 SE) |`,
    "|---|---|---|---|---|---|---|",
  ];
  const dv = reps(def);
  for (const e of done) {
    const v = reps(e);
    const m = mean(v);
    const se = Math.sqrt(std(v) ** 2 / v.length + std(dv) ** 2 / dv.length);
    const changed = Object.entries(e.config).filter(([k, x]) => String(def.config[k]) !== String(x)).map(([k, x]) => `${k}=${x}`);
    lines.push(
      `| ${e.isDefault ? "default" : changed.join(", ")} | ${v.length} | ${v.map(formatValue).join(", ")} | ${formatValue(m)} | ` +
        `${((std(v) / m) * 100).toFixed(2)}% | ${e.isDefault ? "-" : formatGain(gain(m, mean(dv), info.direction))} | ` +
        `${e.isDefault ? "-" : v.length < 2 || dv.length < 2 ? "n/a (1 repeat)" : Math.abs(m - mean(dv)) > 2 * se ? "yes" : "no"} |`,
    );
  }
  return [`Study \`${location}\` (${info.name}, ${info.objective}, ${info.direction === "max" ? "higher" : "lower"} is better):`, "", ...lines];
}

export function harnessSection(random: string, effects: string[], commands: string[], notes: string[]): string {
  const open = (f: string) => {
    const s = SqliteStudyStore.open(f, { readonly: true });
    const r = { info: s.info(), evals: s.evaluations(), location: f };
    s.close();
    return r;
  };
  const r = open(random);
  const prov = r.evals.find((e) => e.provenance)?.provenance ?? {};
  const out = [
    "## harness: the run loop on real VMs",
    "",
    "Commands (from the repository root):",
    "",
    "```",
    ...commands,
    "```",
    "",
    `Host: ${prov.host ?? "?"}; ${prov.qemu ?? "?"}; accelerator ${prov.accel ?? "?"}${prov.icount ? " with -icount (deterministic mode)" : ""}; guest kernel ${prov.kernel ?? "?"}.`,
    "",
    "### Cost of an evaluation in the run loop",
    "",
    ...costTable(r.evals),
    "",
    "### Random search against the default",
    "",
    ...describeStudy(r.info, r.evals, r.location),
    "",
    "### A re-measured effect",
    "",
  ];
  for (const f of effects) {
    const e = open(f);
    out.push(...effectLines(e.info, e.evals, e.location), "");
  }
  out.push(...notes);
  return out.join("\n");
}

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      random: { type: "string" },
      effect: { type: "string", multiple: true },
      command: { type: "string", multiple: true },
      note: { type: "string", multiple: true },
      out: { type: "string", default: "BENCHMARKS.md" },
    },
  });
  if (!values.random || !values.effect) throw new WayfinderError("usage: harness-benchmark.ts --random <store> --effect <store> [--command ...] [--note ...]");
  writeBenchmarkSection(values.out!, "harness", harnessSection(values.random, values.effect, values.command ?? [], values.note ?? []));
}

if (process.argv[1] && /harness-benchmark\.ts$/.test(process.argv[1])) main(process.argv.slice(2));
