/**
 * `wayfinder demo`: the project's main job until the VM harness takes over. It reads the five random-
 * search pools of the Wayfinder artifact and prints, per pool, what `dataset info` reports, next to the
 * best values the paper's Table 2 gives, then one summary line.
 */
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { WayfinderError } from "../../../lib/errors";
import { formatNumber, formatTextTable, loadDataset, summarizeDataset } from "../../../lib/datasets";

export const summary = "the main job (for now): summarise the artifact's five random-search pools";

const pools = [
  "linux-redis_3_only_OS_single_core.xlsx",
  "linux-sqlite_13_only_OS_random_single_core.xlsx",
  "linux-hpc_default_56.xlsx",
  "linux-riscv.xlsx",
  "rand_unikraft-nginx_197.xlsx",
];

/** Best values after 250 iterations in the paper's Table 2 (Linux 4.19), where it gives one. */
const paperBest: Record<string, string> = {
  "linux-redis_3_only_OS_single_core.xlsx": "66118",
  "linux-sqlite_13_only_OS_random_single_core.xlsx": "284",
  "linux-hpc_default_56.xlsx": "1522",
};

const usage = `usage: wayfinder demo [--data <folder>] [--json]

Summarises the random-search pools in <folder>/measurements (default: ../shared/datasets/wayfinder-ae
relative to the repository, or $WAYFINDER_AE).`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage);
    return 0;
  }
  const rest = argv;
  let data: string | undefined;
  const json = rest.includes("--json");
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--data") data = rest[++i];
    else if (rest[i].startsWith("--data=")) data = rest[i].slice(7);
    else if (rest[i] !== "--json") throw new WayfinderError(`unknown argument ${JSON.stringify(rest[i])}; ${usage}`);
  }
  const root = resolve(import.meta.dirname, "../../..");
  const folder = resolve(data ?? process.env.WAYFINDER_AE ?? join(root, "../shared/datasets/wayfinder-ae"));
  const measurements = join(folder, "measurements");
  if (!existsSync(measurements)) {
    throw new WayfinderError(`${measurements}: not found; point --data (or $WAYFINDER_AE) at the Wayfinder artifact's dataset folder (the one holding measurements/)`);
  }
  const rows: Array<Array<string | number>> = [];
  const infos = [];
  let total = 0;
  let crashed = 0;
  const started = performance.now();
  for (const name of pools) {
    const file = join(measurements, name);
    const ds = loadDataset(file);
    const s = summarizeDataset(ds);
    total += s.rows;
    crashed += s.crashed;
    const p = ds.schema.provenance;
    infos.push({ file: relative(process.cwd(), file), app: p.app, os: p.os, ...s, paperBest: paperBest[name] ? Number(paperBest[name]) : null });
    rows.push([
      `${p.os}/${p.app}`,
      s.rows,
      `${s.parameters} (${s.varyingParameters})`,
      `${s.objective} ${s.unit ?? ""}`.trim(),
      s.direction,
      s.crashed,
      formatNumber(s.best),
      formatNumber(s.median),
      paperBest[name] ?? "-",
    ]);
  }
  const seconds = (performance.now() - started) / 1000;
  const line = `${pools.length} pools, ${total} evaluated configurations, ${crashed} crashed (${((100 * crashed) / total).toFixed(1)} %); read in ${seconds.toFixed(1)} s`;
  if (json) {
    console.log(JSON.stringify({ pools: infos, total, crashed }, null, 2));
    return 0;
  }
  console.log(`Random-search pools of the Wayfinder artifact (${relative(process.cwd(), measurements) || "."})\n`);
  console.log(
    formatTextTable(["pool", "rows", "params (varying)", "objective", "dir", "crashed", "best", "median*", "paper best"], rows),
  );
  console.log(`\n* median over non-crashed rows. paper best: Table 2 of the paper (best after 250 iterations).\n${line}`);
  return 0;
}
