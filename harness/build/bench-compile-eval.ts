/**
 * Cost of compile-time evaluations through the run loop's evaluator (harness/run/vm-evaluator.ts), and
 * a short live footprint search, on the example job harness/examples/linux-footprint.yaml:
 *
 *   npx tsx harness/build/bench-compile-eval.ts [--cache DIR] [--search N] [--seed S] [--cheap-shift K] [--expensive] [--write]
 *
 * 1. the default configuration (a cold build in an empty cache, else incremental from the warm tree),
 * 2. a cheap option (LOG_BUF_SHIFT 17 -> K), 3. the default again (a cache hit: no make at all), then
 * N random configurations (seeded), then the best one and the default re-measured; with --expensive,
 * last, KALLSYMS switched off (pinned in the job because it recompiles most of the kernel). Every
 * evaluation builds (or reuses), boots under TCG -icount and measures the footprint. --write records
 * the table in BENCHMARKS.md, section compile-eval, with this command line.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultCacheDir } from "../vm/cache-dir";
import { writeBenchmarkSection } from "../../lib/bench/section";
import { Rng } from "../../lib/random";
import type { Config } from "../../lib/search/searcher";
import { sampleConfig } from "../../lib/space/sample";
import { loadJob } from "../jobs/job";
import { runnableJob } from "../run/runnable-job";
import { vmEvaluator } from "../run/vm-evaluator";
import type { EvaluationReport } from "../run/evaluator";
import { REPO_ROOT } from "./kernel-source";

interface Row {
  what: string;
  config: Config;
  report: EvaluationReport;
  wallS: number;
  /** For a cached image: build time and objects of the build that made it. */
  first: string;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const jobFile = join(REPO_ROOT, "harness/examples/linux-footprint.yaml");
  const rj = runnableJob(loadJob(jobFile));
  const cache = arg("--cache");
  if (cache) rj.target.build!.cache = cache;
  const searchN = Number(arg("--search") ?? 0);
  const seed = Number(arg("--seed") ?? 1);
  const builds = rj.target.build!.cache ?? join(defaultCacheDir(), "kernel-builds");
  const ev = vmEvaluator({ target: rj.target, params: rj.params, onNote: (n) => console.error(`  ${n}`) });
  // A cached image's request record keeps the figures of the build that made it (possibly in an
  // earlier, interrupted run of this script): shown beside this run's own (zero) build time.
  const firstBuild = (r: EvaluationReport): string => {
    const key = r.provenance?.kernelRequest;
    const file = typeof key === "string" ? join(builds, "requests", `${key}.json`) : "";
    if (!file || !existsSync(file)) return "";
    const rec = JSON.parse(readFileSync(file, "utf8")) as { timings?: { buildS?: number }; compiled?: number };
    return rec.timings?.buildS !== undefined ? `${rec.timings.buildS} s, ${rec.compiled ?? "?"} objects` : "";
  };
  const signal = new AbortController().signal;
  const rows: Row[] = [];
  const def = rj.job.space.defaultConfig();
  const run = async (what: string, config: Config) => {
    const t0 = performance.now();
    console.error(`${new Date().toISOString()} ${what}: ${JSON.stringify(config)}`);
    const report = await ev({ config, seq: rows.length, repeat: 0, signal });
    const row = { what, config, report, wallS: Math.round((performance.now() - t0) / 100) / 10, first: firstBuild(report) };
    rows.push(row);
    // after every row, so an interrupted run still leaves its figures
    if (process.argv.includes("--write")) writeBenchmarkSection(join(REPO_ROOT, "BENCHMARKS.md"), "compile-eval", render(rows, def, undefined));
    console.error(`  -> ${JSON.stringify(report.outcome)} footprint ${report.metrics?.footprint_kib} KiB, ${row.wallS} s, build ${report.provenance?.kernelBuild}`);
    return row;
  };

  const cheap = Number(arg("--cheap-shift") ?? 15);
  await run("default", def);
  await run(`cheap option (LOG_BUF_SHIFT 17 -> ${cheap})`, { ...def, LOG_BUF_SHIFT: cheap });
  await run("default again (cache hit)", def);
  const rng = new Rng(seed);
  for (let i = 0; i < searchN; i++) await run(`random ${i + 1}`, sampleConfig(rj.job.space, rng));
  const measured = rows.filter((r) => r.report.outcome.ok);
  const better = (a: Row, b: Row) => {
    const [fa, fb] = [a.report.metrics!.footprint_kib!, b.report.metrics!.footprint_kib!];
    return fb < fa || (fb === fa && b.report.metrics!.kernel_static_kib! < a.report.metrics!.kernel_static_kib!) ? b : a;
  };
  const best = measured.reduce(better);
  const bestAgain = await run("best, re-measured", best.config);
  const defAgain = await run("default, re-measured", def);
  const write = () => {
    const text = render(rows, def, { nMeasured: measured.length, best, bestAgain, defAgain });
    console.log(text);
    if (process.argv.includes("--write")) writeBenchmarkSection(join(REPO_ROOT, "BENCHMARKS.md"), "compile-eval", text);
  };
  write();
  if (process.argv.includes("--expensive")) {
    // Last, so the search above ran in a tree without this full rebuild in between.
    await run("expensive option (KALLSYMS y -> n, pinned in the job)", { ...def, KALLSYMS: "n" });
    write();
  }
}

interface Outcome {
  nMeasured: number;
  best: Row;
  bestAgain: Row;
  defAgain: Row;
}

function render(rows: Row[], def: Config, result: Outcome | undefined): string {
  const diff = (c: Config) => Object.entries(c).filter(([k, v]) => String(v) !== String(def[k])).map(([k, v]) => `${k}=${v}`).join(" ") || "(default)";
  const lines = [
    "## Compile-time evaluations through the runner",
    "",
    `Command: \`npx tsx harness/build/bench-compile-eval.ts ${process.argv.slice(2).join(" ")}\` (${new Date().toISOString().slice(0, 10)}; TCG with -icount, 256 MiB guest;`,
    "the 2-core machine was shared with other engineers' builds and VMs, so wall times are upper bounds).",
    "",
    "Job: harness/examples/linux-footprint.yaml (tinyconfig + guest options, Debian linux-source-6.1, 7 varied options and KALLSYMS pinned, default all on).",
    "Footprint = 262144 KiB - MemAvailable in the guest; build = make olddefconfig + make bzImage in the warm tree (0 when the image came from the cache).",
    "",
    "| evaluation | options changed from the default | build | objects compiled | config s | build s | boot+measure s | wall s | footprint KiB | kernel static KiB (code / rodata / bss) | the build that made the image |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) => {
      const t = r.report.timings ?? {};
      const m = r.report.metrics ?? {};
      const ok = r.report.outcome.ok;
      const bootS = ok ? Math.round(((t.totalS ?? 0) - (t.kernelConfigS ?? 0) - (t.kernelBuildS ?? 0)) * 10) / 10 : "-";
      const compiled = r.report.provenance?.kernelCompiled ?? "";
      return `| ${r.what} | ${diff(r.config)} | ${r.report.provenance?.kernelBuild ?? "?"}${r.report.provenance?.kernelCacheHit ? ` (${r.report.provenance.kernelCacheHit})` : ""} | ${compiled} | ${t.kernelConfigS ?? ""} | ${t.kernelBuildS ?? ""} | ${bootS} | ${r.wallS} | ${ok ? m.footprint_kib : `${r.report.outcome.ok ? "" : r.report.outcome.phase}`} | ${ok ? `${m.kernel_static_kib} (${m.kernel_code_kib} / ${m.rodata_kib} / ${m.bss_kib})` : ""} | ${r.first} |`;
    }),
    "",
    result ? summaryLine(rows, diff, result) : `(run in progress or interrupted after ${rows.length} evaluations)`,
  ];
  return lines.join("\n");
}

function summaryLine(rows: Row[], diff: (c: Config) => string, { nMeasured, best, bestAgain, defAgain }: Outcome): string {
  return (
    `Best of ${nMeasured} measured configurations (footprint, then kernel static size): ${diff(best.config)}: ${best.report.metrics!.footprint_kib} KiB, re-measured ${bestAgain.report.metrics?.footprint_kib} KiB; ` +
      `default re-measured ${defAgain.report.metrics?.footprint_kib} KiB (first ${rows[0]!.report.metrics?.footprint_kib} KiB): ` +
      `reduction ${defAgain.report.metrics && bestAgain.report.metrics ? `${defAgain.report.metrics.footprint_kib! - bestAgain.report.metrics.footprint_kib!} KiB (${(100 * (1 - bestAgain.report.metrics.footprint_kib! / defAgain.report.metrics.footprint_kib!)).toFixed(1)} %); ` +
      `kernel static size ${defAgain.report.metrics.kernel_static_kib} -> ${bestAgain.report.metrics.kernel_static_kib} KiB` : "n/a"}.`
  );
}

await main();
