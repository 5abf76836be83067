/**
 * wayfinder bench parallel-noise: how much running evaluations side by side (--parallel K, pinned slot
 * processes) changes the measured values relative to running them one at a time, in deterministic mode
 * (-icount) and in real-time mode. The same configurations (the job's default and N-1 seeded random
 * ones) are measured with R repeats sequentially and then with --parallel K, through the same run loop
 * and evaluator `wayfinder run` uses; per configuration the relative difference of the means and each
 * side's repeat CV go to BENCHMARKS.md (section "parallel-noise") with the exact command.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus as osCpus, hostname, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeBenchmarkSection } from "../../../lib/bench/section";
import { WayfinderError, quote } from "../../../lib/errors";
import { Rng } from "../../../lib/random";
import type { Config } from "../../../lib/search/searcher";
import { sampleConfig } from "../../../lib/space/sample";
import { loadJob } from "../../jobs/job";
import { formatValue } from "../../run/progress";
import { LIST_SEARCHER, ListSearcher } from "../../run/list-searcher";
import { parallelEvaluator } from "../../run/parallel-evaluator";
import { compareParallelNoise, summarizeNoise, type ConfigComparison, type SideStats } from "../../run/parallel-noise-comparison";
import { NOISE_CV_LIMIT, parallelNoiseWarnings } from "../../run/parallel-noise-check";
import { runStudy } from "../../run/run-study";
import { jobRecord, runnableJob } from "../../run/runnable-job";
import { configKey } from "../../store/config-key";
import { SqliteStudyStore } from "../../store/sqlite-study-store";
import type { EvaluationRecord, StudySpec } from "../../store/study-store";
import { preflight } from "../../vm/preflight";

export const summary = "bench parallel-noise: measured values with --parallel K vs sequential (deterministic and real-time) -> BENCHMARKS.md";

const usage = `usage: wayfinder bench parallel-noise [--job FILE] [--configs N] [--repeats R] [--parallel K]
                                      [--modes deterministic,realtime] [--seed S] [--cache DIR] [--keep DIR] [--no-write]

Measures the job's default and N-1 random configurations (seed S) with R repeats each, first one at a
time, then K at a time in pinned slots, in each mode; prints the comparison and writes BENCHMARKS.md
section "parallel-noise" (unless --no-write). Defaults: --job harness/examples/linux-sysbench.yaml
(the cheapest example) --configs 4 --repeats 3 --parallel 2 --modes deterministic,realtime --seed 1.
--keep DIR keeps the four study files there (default: a temporary directory, removed).`;

type Mode = "deterministic" | "realtime";
interface Phase {
  evals: EvaluationRecord[];
  seconds: number;
  /** 1-minute load average of the host when the phase started and ended. */
  load: readonly [number, number];
}

function positiveInt(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new WayfinderError(`${flag} ${quote(text)}: expected a positive integer`);
  return Number(text);
}

const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? "-" : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)}%`);
const cvText = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : "-");
const sideText = (s?: SideStats) =>
  !s ? "- | - | -" : `${s.values.map(formatValue).join(", ")}${s.failed ? " (failed)" : ""} | ${Number.isFinite(s.mean) ? formatValue(s.mean) : "-"} | ${s.values.length >= 2 ? cvText(s.cv) : "-"}`;

export async function run(argv: string[]): Promise<number> {
  const parse = () => {
    try {
      return parseArgs({
      args: argv,
      options: {
        job: { type: "string", default: "harness/examples/linux-sysbench.yaml" },
        configs: { type: "string", default: "4" },
        repeats: { type: "string", default: "3" },
        parallel: { type: "string", default: "2" },
        modes: { type: "string", default: "deterministic,realtime" },
        seed: { type: "string", default: "1" },
        cache: { type: "string" },
        keep: { type: "string" },
        "no-write": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      }).values;
    } catch (err) {
      throw new WayfinderError(`${(err as Error).message}\n${usage}`);
    }
  };
  const o = parse();
  if (o.help) {
    console.log(usage);
    return 0;
  }
  const nConfigs = positiveInt("--configs", o.configs!);
  const repeats = positiveInt("--repeats", o.repeats!);
  const k = positiveInt("--parallel", o.parallel!);
  if (k < 2) throw new WayfinderError(`--parallel ${k}: the comparison needs at least 2 slots`);
  const seed = Number(o.seed);
  if (!Number.isSafeInteger(seed)) throw new WayfinderError(`--seed ${quote(o.seed)}: expected an integer`);
  const modes = o.modes!.split(",").filter(Boolean) as Mode[];
  for (const m of modes) if (m !== "deterministic" && m !== "realtime") throw new WayfinderError(`--modes: unknown mode ${quote(m)}; known: deterministic, realtime`);

  const job = loadJob(o.job!);
  const rj = runnableJob(job);
  preflight(rj.target);
  // The default first, then distinct seeded random configurations of the job's space.
  const rng = new Rng(seed);
  const configs: Config[] = [job.space.defaultConfig()];
  const keys = new Set(configs.map(configKey));
  for (let tries = 0; configs.length < nConfigs && tries < 1000; tries++) {
    const c = sampleConfig(job.space, rng);
    if (!keys.has(configKey(c))) {
      keys.add(configKey(c));
      configs.push(c);
    }
  }
  const spec: StudySpec = {
    name: job.name, jobText: job.source.text, jobPath: o.job!, job: { ...(jobRecord(job) as object), configs: configs.slice(1) },
    searcher: LIST_SEARCHER, seed, repeats, budget: { iterations: configs.length }, objective: rj.objective, direction: rj.direction,
    defaultConfig: configs[0],
  };
  const dir = o.keep ?? mkdtempSync(join(tmpdir(), "wf-parallel-noise-"));
  const ac = new AbortController();
  const onSignal = () => ac.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const load0 = loadavg();
  const log = (s: string) => console.error(s);
  let isolation: string[] = [];

  const phase = async (mode: Mode, parallel: number) => {
    const file = join(dir, `${mode}-p${parallel}.sqlite`);
    const store = SqliteStudyStore.create(file, spec);
    const ev = await parallelEvaluator({
      parallel, jobText: spec.jobText, jobPath: spec.jobPath, deterministic: mode === "deterministic", ...(o.cache ? { cacheDir: o.cache } : {}),
      onNote: (n) => { if (/build/i.test(n)) log(`  note: ${n}`); },
    });
    if (ev.isolation.length) isolation = ev.isolation;
    log(`${mode}, ${parallel === 1 ? "sequential" : `--parallel ${parallel}`}: ${configs.length} configurations x ${repeats} repeats -> ${file}`);
    const t0 = performance.now();
    const loadStart = loadavg()[0];
    try {
      const r = await runStudy({
        store, searcher: new ListSearcher(rj.direction, configs.slice(1)), evaluate: ev.evaluate, parallel, signal: ac.signal, host: hostname(),
        onProgress: (p) => log(`  evaluation ${p.seq}${p.slot !== undefined && parallel > 1 ? ` (slot ${p.slot})` : ""}: ${p.outcome.ok ? formatValue(p.outcome.value) : `failed (${p.outcome.phase})`}`),
      });
      if (r.reason === "interrupted") throw new WayfinderError("interrupted");
    } finally {
      await ev.close();
    }
    const seconds = (performance.now() - t0) / 1000;
    const evals = store.evaluations();
    store.close();
    return { evals, seconds, load: [loadStart, loadavg()[0]] as const };
  };

  const sections: string[] = [];
  const summaries: string[] = [];
  try {
    for (const mode of modes) {
      const seq = await phase(mode, 1);
      const par = await phase(mode, k);
      const rows = compareParallelNoise(seq.evals, par.evals);
      const sum = summarizeNoise(rows);
      const warnings = parallelNoiseWarnings([...seq.evals, ...par.evals]);
      sections.push(modeSection(mode, k, rows, seq, par, sum, warnings, repeats));
      summaries.push(`| ${mode === "deterministic" ? "deterministic (-icount)" : "real time (TCG, no -icount)"} | ${sum.compared} of ${rows.length} | ${pct(sum.medianAbsDiff).replace("+", "")} | ${pct(sum.maxAbsDiff).replace("+", "")} | ${cvText(sum.medianCvSequential)} | ${cvText(sum.medianCvParallel)} | ${seq.seconds.toFixed(0)} s | ${par.seconds.toFixed(0)} s (x${(seq.seconds / par.seconds).toFixed(2)}) |`);
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
  const load1 = loadavg();
  const cmd = `wayfinder bench parallel-noise ${argv.filter((a) => a !== "--no-write").join(" ")}`.trim();
  const body = [
    "## parallel-noise: measured values with --parallel vs sequential (one host)",
    "",
    `Command: \`${cmd}\``,
    "",
    `Job ${job.name} (${o.job}), objective ${rj.objective} (${rj.direction === "max" ? "higher" : "lower"} is better); the default and ${configs.length - 1} random configurations (seed ${seed}), ${repeats} repeats each (one VM boot per repeat), measured first one at a time (the plain run loop, unpinned), then with --parallel ${k} (one slot process per CPU, pinned with taskset). Same run loop and evaluator as \`wayfinder run\`.`,
    "",
    `Host: ${hostname()}, ${osCpus().length} x ${osCpus()[0]?.model ?? "?"}; load average ${load0[0].toFixed(1)} at start, ${load1[0].toFixed(1)} at end. **This machine has only 2 cores, and other engineers were running VMs, builds and tests on it at the same time**: a "sequential" evaluation was never alone on the host, and with --parallel 2 the two slots use both cores, so they also compete with everything else running. The numbers show what parallelism does here, not on an idle many-core server.`,
    "",
    "Slots:",
    "",
    ...isolation.map((l) => `- ${l}`),
    "",
    "| mode | configurations compared | median abs(parallel - sequential) / sequential | max | median repeat CV sequential | median repeat CV parallel | wall time sequential | wall time parallel (speed-up) |",
    "|---|---|---|---|---|---|---|---|",
    ...summaries,
    "",
    ...sections,
    "How to read it: under -icount the guest's clock counts executed instructions, so a neighbouring VM can change how long an evaluation takes on the host but not the value the guest measures; in real-time mode the value is throughput per host second and moves with whatever else uses the CPU, so a neighbour in the other slot (and the other jobs on this host) both lower it and widen its spread. Parallel speed-up is reported next to the noise because it is the reason to run in parallel at all.",
    "",
    `The run's warning rule (harness/run/parallel-noise-check.ts): \`wayfinder run --parallel K\` warns when the median repeat CV of its parallel evaluations, or the default's, exceeds ${(NOISE_CV_LIMIT * 100).toFixed(0)} %, and when a study mixes real-time evaluations measured alone and beside other VMs; before a real-time parallel run with 1 repeat it says that the noise cannot be checked. The warnings above are what that rule says about the two studies of each mode taken together.`,
  ].join("\n");
  console.log(body);
  if (!o["no-write"]) {
    writeBenchmarkSection(join(import.meta.dirname, "../../..", "BENCHMARKS.md"), "parallel-noise", body);
    log('bench parallel-noise: wrote section "parallel-noise" of BENCHMARKS.md');
  }
  return 0;
}

function modeSection(
  mode: Mode, k: number, rows: ConfigComparison[], seq: Phase, par: Phase,
  sum: ReturnType<typeof summarizeNoise>, warnings: string[], repeats: number,
): string {
  const def = seq.evals[0]?.config ?? {};
  const label = (r: ConfigComparison) => {
    if (r.isDefault) return "default";
    const e = seq.evals.find((x) => x.seq === r.seq)!;
    const diff = Object.keys(e.config).filter((n) => e.config[n] !== def[n]);
    return `#${r.seq} (${diff.length} parameters differ: ${diff.slice(0, 4).map((n) => `${n}=${e.config[n]}`).join(", ")}${diff.length > 4 ? ", ..." : ""})`;
  };
  const failures = (evs: EvaluationRecord[]) => evs.filter((e) => e.state === "done" && !e.outcome!.ok).map((e) => `#${e.seq} ${(e.outcome as { phase: string }).phase}`);
  const compared = rows.filter((r) => r.relDiff !== undefined);
  const lower = compared.filter((r) => r.relDiff! < 0).length;
  const higher = compared.filter((r) => r.relDiff! > 0).length;
  // A guest image rebuilt between the phases (e.g. the guest agent changed) would be measured as "parallel noise".
  const images = (evs: EvaluationRecord[]) => [...new Set(evs.map((e) => String(e.provenance?.image ?? "?")))];
  const seqImages = images(seq.evals);
  const parImages = images(par.evals);
  const sameImage = seqImages.length === 1 && parImages.length === 1 && seqImages[0] === parImages[0];
  const f = [...failures(seq.evals).map((x) => `sequential ${x}`), ...failures(par.evals).map((x) => `parallel ${x}`)];
  return [
    `### ${mode === "deterministic" ? "Deterministic mode (TCG with -icount)" : "Real-time mode (TCG, no -icount)"}`,
    "",
    `| configuration | sequential: values (${repeats} repeats) | mean | CV | --parallel ${k}: values | mean | CV | parallel vs sequential |`,
    "|---|---|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${label(r)} | ${sideText(r.sequential)} | ${sideText(r.parallel)} | ${pct(r.relDiff)} |`),
    "",
    `Median abs difference ${pct(sum.medianAbsDiff).replace("+", "")}, max ${pct(sum.maxAbsDiff).replace("+", "")}; ` +
      `the parallel mean is lower in ${lower} and higher in ${higher} of ${compared.length} configurations. ` +
      `Wall time ${seq.seconds.toFixed(0)} s sequential (host load ${seq.load[0].toFixed(1)} -> ${seq.load[1].toFixed(1)}), ${par.seconds.toFixed(0)} s with --parallel ${k} (load ${par.load[0].toFixed(1)} -> ${par.load[1].toFixed(1)})` +
      (seq.seconds / par.seconds > k ? `; a speed-up above ${k} is possible on a shared host: ${k} VMs get ${k} scheduler shares of the CPUs against the other jobs instead of one, and the other jobs' load differs between the phases` : "") +
      `.${f.length ? ` Failed evaluations: ${f.join(", ")}.` : ""}`,
    "",
    sameImage
      ? `Both phases used guest image ${seqImages[0]}.`
      : `**Confounded**: the guest image differs between the phases (sequential ${seqImages.join(", ")}; parallel ${parImages.join(", ")}), so the differences above include the image change.`,
    "",
    warnings.length ? `Warnings from the run's rule: ${warnings.map((w) => `"${w}"`).join(" ")}` : "Warnings from the run's rule: none.",
    "",
  ].join("\n");
}
