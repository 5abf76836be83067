/**
 * `wayfinder demo`: the project's main job, a real specialisation run. It runs the Redis example job
 * (harness/examples/linux-redis.yaml: runtime sysctls, boot parameters and redis.conf settings) in QEMU
 * with the random searcher for a fixed wall-clock budget, so it takes about ten minutes on a 2-core
 * machine under TCG whatever the machine's speed, and ends by printing the best configuration found as
 * sysctl/cmdline/redis.conf diffs against the default, with its gain over the default.
 *
 * `wayfinder demo --pools` (also implied by --json or --data) keeps the earlier demo: a summary of the
 * artifact's five random-search pools next to the paper's Table 2.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { WayfinderError } from "../../../lib/errors";
import { formatNumber, formatTextTable, loadDataset, summarizeDataset } from "../../../lib/datasets";
import { run as runCommand } from "./run";

export const summary = "the main job: a real specialisation run of the Redis example in QEMU (~10 min), then the best configuration";

const usage = `usage: wayfinder demo [--budget DURATION|N] [--searcher NAME] [--seed S] [--store FILE]
       wayfinder demo --pools [--data <folder>] [--json]

Specialises Linux for Redis: boots the Redis example job (harness/examples/linux-redis.yaml) in QEMU with
configurations from the searcher (default random, seed 1) until the budget is spent (default 8m of
starting evaluations, so about ten minutes in all), recording every evaluation in a study store
(default studies/demo-redis-<time>.sqlite), then prints the best configuration and its gain over the
default. Continue or extend it later with: wayfinder run --resume <store> --budget 30m

--pools summarises the Wayfinder artifact's five random-search pools instead (no VM).`;

/** Default budget: evaluations are started for 8 minutes; the last one ends within about ten. */
export const DEMO_BUDGET = "8m";

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage);
    return 0;
  }
  if (argv.some((a) => a === "--pools" || a === "--json" || a === "--data" || a.startsWith("--data="))) return poolSummary(argv);
  const root = resolve(import.meta.dirname, "../../..");
  const job = join(root, "harness/examples/linux-redis.yaml");
  const opts = new Map<string, string>([["--budget", DEMO_BUDGET], ["--searcher", "random"], ["--seed", "1"]]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!["--budget", "--searcher", "--seed", "--store"].includes(a) || argv[i + 1] === undefined) {
      throw new WayfinderError(`unknown or incomplete argument ${JSON.stringify(a)}; ${usage}`);
    }
    opts.set(a, argv[++i]);
  }
  if (!opts.has("--store")) {
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
    mkdirSync(join(root, "studies"), { recursive: true });
    opts.set("--store", join(root, "studies", `demo-redis-${stamp}.sqlite`));
  }
  console.log(`wayfinder demo: specialising Linux for Redis in QEMU (${relative(process.cwd(), job)}), budget ${opts.get("--budget")}`);
  return runCommand([job, ...[...opts].flat()]);
}


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

const poolsUsage = `usage: wayfinder demo --pools [--data <folder>] [--json]

Summarises the random-search pools in <folder>/measurements (default: ../shared/datasets/wayfinder-ae
relative to the repository, or $WAYFINDER_AE).`;

async function poolSummary(argv: string[]): Promise<number> {
  const rest = argv.filter((a) => a !== "--pools");
  let data: string | undefined;
  const json = rest.includes("--json");
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--data") data = rest[++i];
    else if (rest[i].startsWith("--data=")) data = rest[i].slice(7);
    else if (rest[i] !== "--json") throw new WayfinderError(`unknown argument ${JSON.stringify(rest[i])}; ${poolsUsage}`);
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
