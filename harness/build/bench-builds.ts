/**
 * Compile-time evaluation cost on this machine: base configuration, cold build, incremental rebuild
 * after a cheap option (PRINTK_TIME) and after an expensive one (HIGH_RES_TIMERS), a request-cache
 * hit and a resolved-configuration cache hit. Writes the "kconfig" section of BENCHMARKS.md.
 */
import { rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { writeBenchmarkSection } from "../../lib/bench/section";
import { KernelBuilder, type KernelBuildResult } from "./kernel-builder";
import { DEFAULT_CACHE_DIR, REPO_ROOT } from "./kernel-source";

export interface BuildBenchOptions {
  sourceDir: string;
  jobs?: number;
  /** Fresh cache/build tree used for the measurement (deleted first); default .cache/kconfig-bench. */
  cacheDir?: string;
  /** BENCHMARKS.md to update; undefined = do not write. */
  benchmarksFile?: string;
  command: string;
  onNote?: (s: string) => void;
}

export interface BuildBenchRow { step: string; options: string; status: string; wallS: number; compiled?: number; imageBytes?: number; note?: string }

export async function benchBuilds(o: BuildBenchOptions): Promise<BuildBenchRow[]> {
  const cacheDir = o.cacheDir ?? join(DEFAULT_CACHE_DIR, "kconfig-bench");
  rmSync(cacheDir, { recursive: true, force: true });
  const jobs = o.jobs ?? availableParallelism();
  const builder = new KernelBuilder({ sourceDir: o.sourceDir, cacheDir, jobs, onNote: o.onNote });
  const rows: BuildBenchRow[] = [];
  const load0 = loadavg()[0]!;
  const t0 = performance.now();
  const base = await builder.baseConfig();
  rows.push({ step: "base configuration (make tinyconfig + guest options + olddefconfig, incl. building scripts/kconfig)", options: "-", status: "ok", wallS: round((performance.now() - t0) / 1000) });
  write("(in progress: base configuration done)");
  const hrt = base.values.get("HIGH_RES_TIMERS") === "y" ? "n" : "y";
  const printk = base.values.get("PRINTK_TIME") === "y" ? "n" : "y";
  const steps: [string, Record<string, string>][] = [
    ["cold build", {}],
    ["incremental rebuild, cheap option", { PRINTK_TIME: printk }],
    ["incremental rebuild, expensive option", { PRINTK_TIME: printk, HIGH_RES_TIMERS: hrt }],
    ["request cache hit (same options again)", {}],
    ["resolved-config cache hit (other options, same .config)", { PRINTK_TIME: base.values.get("PRINTK_TIME") ?? "n" }],
  ];
  for (const [step, options] of steps) {
    o.onNote?.(`${step}: ${JSON.stringify(options)}`);
    const t = performance.now();
    const r: KernelBuildResult = await builder.build(options);
    rows.push({
      step, options: Object.entries(options).map(([k, v]) => `${k}=${v}`).join(" ") || "(base)", status: r.status + (r.cacheHit ? ` (${r.cacheHit})` : ""),
      wallS: round((performance.now() - t) / 1000), ...(r.compiled !== undefined ? { compiled: r.compiled } : {}),
      ...(r.imageBytes ? { imageBytes: r.imageBytes } : {}),
      ...(r.status === "build" || r.status === "config" ? { note: (r.errorLines ?? r.dropped?.map((d) => d.name) ?? []).join("; ") } : {}),
    });
    o.onNote?.(JSON.stringify(rows[rows.length - 1]));
    write(rows.length - 1 < steps.length ? `(in progress: ${rows.length - 1} of ${steps.length} builds done)` : "");
  }
  return rows;

  // Rewritten after every step, so a run cut short still leaves its measurements.
  function write(progress: string): void {
    if (!o.benchmarksFile) return;
    const load1 = loadavg()[0]!;
    const table = [
      "| step | options | status | wall s | objects compiled (CC) | bzImage bytes |",
      "|---|---|---|---:|---:|---:|",
      ...rows.map((r) => `| ${r.step} | ${r.options} | ${r.status} | ${r.wallS} | ${r.compiled ?? ""} | ${r.imageBytes ?? ""} |`),
    ];
    writeBenchmarkSection(o.benchmarksFile, "kconfig", [
      "## Compile-time evaluations (Linux 6.1 tinyconfig + guest options, x86_64)",
      "",
      `Command: \`${o.command}\``,
      "",
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, make -j${jobs}; 1-min load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the last update (the machine is shared, so wall times vary with load). Source: Debian linux-source-6.1, gcc from Debian 12. Each build runs in one warm build tree (O=...), so after the cold build only the objects an option touches are recompiled.`,
      "",
      ...table,
      "",
      `Cache: ${cacheDir.replace(REPO_ROOT + "/", "")} (requests/<hash>.json, images/<config hash>/bzImage, work/<arch>-<id>/ the warm tree).`,
      ...(progress ? ["", progress] : []),
    ].join("\n"));
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
