/**
 * `wayfinder deeptune eval --dataset <file>`: DeepTune's prediction quality on held-out rows (the
 * paper's Table 3: failure accuracy, run accuracy, normalised MAE; definitions in
 * lib/deeptune/prediction-quality.ts).
 * `wayfinder deeptune ablation ...`: the alpha x gamma sweep (see lib/deeptune/ablation.ts).
 * `wayfinder deeptune merge <file>... --out <file>`: sweeps run in parts, merged into one grid.
 */
import { WayfinderError, quote } from "../../../lib/errors";
import { loadDataset } from "../../../lib/datasets/load-dataset";
import { replayPool } from "../../../lib/search/replay-pool";
import { initBackend } from "../../../lib/deeptune/backend";
import { evaluatePredictionQuality, type PredictionQuality } from "../../../lib/deeptune/prediction-quality";
import { parseHidden } from "../../../lib/deeptune/deeptune-settings";
import { runAblation } from "../../../lib/deeptune/ablation";
import { mergeAblations, missingCells, readAblation } from "../../../lib/deeptune/ablation-grid";
import { artifactPool, ARTIFACT_POOLS, type ArtifactPoolName } from "../../../lib/datasets/artifact-dir";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseSetOption } from "../set-option";

export const summary = "DeepTune tools: eval (Table 3 prediction quality on held-out rows), ablation (alpha x gamma sweep), merge (sweeps run in parts)";

const usage = `usage: wayfinder deeptune eval --dataset <file> [--holdout 0.2] [--seeds 3] [--steps 600] [--hidden 64,64] [--json]

eval trains DeepTune's model on the other rows and reports, on the held-out rows:
  failure accuracy  crash / no-crash predicted right (p > 0.5 means crash)
  run accuracy      non-crashed rows predicted to run and within 5 % of the measured value
  normalised MAE    mean |predicted - measured| / (max - min) over non-crashed held-out rows
with a baseline next to each (majority class; always predicting the training median).`;

function num(flag: string, v: string | undefined, check: (n: number) => boolean, valid: string): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || !check(n)) throw new WayfinderError(`${flag} ${quote(v ?? "")} is invalid; expected ${valid}`);
  return n;
}

async function evalCommand(argv: string[]): Promise<number> {
  let dataset: string | undefined;
  let holdout = 0.2, seeds = 3, steps = 600, json = false;
  let hidden: number[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case "--dataset": dataset = next(); break;
      case "--holdout": holdout = num(a, next(), (n) => n > 0 && n < 1, "a share in (0, 1)"); break;
      case "--seeds": seeds = num(a, next(), (n) => Number.isInteger(n) && n >= 1, "an integer >= 1"); break;
      case "--steps": steps = num(a, next(), (n) => Number.isInteger(n) && n >= 1, "an integer >= 1"); break;
      case "--hidden": hidden = parseHidden(next()); break;
      case "--json": json = true; break;
      default: throw new WayfinderError(`unexpected argument ${quote(a)}\n${usage}`);
    }
  }
  if (!dataset) throw new WayfinderError(`--dataset <file> is required\n${usage}`);
  const backend = await initBackend();
  const pool = replayPool(loadDataset(dataset), dataset);
  const results: PredictionQuality[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    results.push(evaluatePredictionQuality(pool, { holdout, seed, steps, settings: hidden ? { hidden } : {} }));
  }
  const mean = (k: keyof PredictionQuality) => results.reduce((s, r) => s + r[k], 0) / results.length;
  const report = {
    dataset, backend: backend.name, seeds, holdout, steps,
    failureAccuracy: mean("failureAccuracy"), failureBaseline: mean("failureBaseline"), crashAuc: mean("crashAuc"),
    runAccuracy: mean("runAccuracy"), normalisedMae: mean("normalisedMae"), maeBaseline: mean("maeBaseline"),
    trainRows: results[0].trainRows, heldOutRows: results[0].heldOutRows, trainSeconds: mean("trainSeconds"),
  };
  if (json) console.log(JSON.stringify(report));
  else {
    const f = (x: number) => x.toFixed(3);
    console.log(`${dataset}: ${report.trainRows} training rows, ${report.heldOutRows} held out, ${seeds} splits, ${steps} steps, backend ${backend.name}`);
    console.log(`  failure accuracy  ${f(report.failureAccuracy)}   (majority class ${f(report.failureBaseline)})`);
    console.log(`  crash AUC         ${f(report.crashAuc)}   (0.5 = no ranking signal)`);
    console.log(`  run accuracy      ${f(report.runAccuracy)}`);
    console.log(`  normalised MAE    ${f(report.normalisedMae)}   (training median ${f(report.maeBaseline)})`);
  }
  return 0;
}

const ablationUsage = `usage: wayfinder deeptune ablation [--pools redis,hpc,sqlite] [--full] [--seeds n] [--budget n] [--alphas a,b] [--gammas g,h] [--betas b,c] [--set name=value]... [--out <file.json>]

Sweeps DeepTune's alpha (distance vs. RBF uncertainty) and gamma (RBF width), and optionally beta
(exploration vs. predicted performance; 1 = the paper's score alone, 0 = predicted performance alone;
default: DeepTune's default only), on replayed pools and writes
per-cell mean best-after-100 (or after the budget if smaller), normalised regret and crash rate as JSON
(default figures/data/deeptune-ablation.json) for notebooks/ablation-alpha-gamma.ipynb.
  default grid: alpha 0,0.5,1 x gamma 0.1,0.5, 2 seeds, budget 100 (minutes)
  --full:       alpha 0,0.25,0.5,0.75,1 x gamma 0.1,0.25,0.5,1,2, 5 seeds, budget 100 (about an hour per pool
                on two cores; the committed figures/data/deeptune-ablation.json is this grid). Add --budget 250
                to read the crash rate over the replay benchmark's 250 iterations (best and regret stay at 100).
--set fixes another DeepTune setting for every cell (e.g. --set wrapPenalty=1 reproduces the committed grids,
which were run before that prior existed); the file records it, and merge refuses parts with other settings.
Pools run one after another; to use more cores run one process per pool (--pools, --out) and merge the files
with wayfinder deeptune merge: every cell is seeded the same either way.`;

function list(flag: string, raw: string | undefined): number[] {
  const xs = (raw ?? "").split(",").map(Number);
  if (!raw || xs.some((x) => !Number.isFinite(x))) throw new WayfinderError(`${flag} ${quote(raw ?? "")} is invalid; expected comma-separated numbers`);
  return xs;
}

async function ablationCommand(argv: string[]): Promise<number> {
  let full = false;
  let pools = ["redis", "hpc", "sqlite"];
  let seeds: number | undefined, budget: number | undefined, alphas: number[] | undefined, gammas: number[] | undefined, betas: number[] | undefined;
  const settings: Record<string, string> = {};
  let out = join(import.meta.dirname, "../../..", "figures/data/deeptune-ablation.json");
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case "--full": full = true; break;
      case "--pools": pools = (next() ?? "").split(",").filter(Boolean); break;
      case "--seeds": seeds = num(a, next(), (n) => Number.isInteger(n) && n >= 1, "an integer >= 1"); break;
      case "--budget": budget = num(a, next(), (n) => Number.isInteger(n) && n >= 1, "an integer >= 1"); break;
      case "--alphas": alphas = list(a, next()); break;
      case "--gammas": gammas = list(a, next()); break;
      case "--betas": betas = list(a, next()); break;
      case "--out": out = next() ?? ""; break;
      case "--set": {
        const { name, value } = parseSetOption(next() ?? "");
        if (["alpha", "gamma", "beta"].includes(name)) throw new WayfinderError(`--set ${name}: ${name} is an axis of the sweep; use --${name}s`);
        settings[name] = value;
        break;
      }
      default: throw new WayfinderError(`unexpected argument ${quote(a)}\n${ablationUsage}`);
    }
  }
  for (const a of alphas ?? []) if (!(a >= 0 && a <= 1)) throw new WayfinderError(`--alphas: alpha ${a} is outside [0, 1]`);
  for (const g of gammas ?? []) if (!(g > 0)) throw new WayfinderError(`--gammas: gamma ${g} must be > 0`);
  for (const b of betas ?? []) if (!(b >= 0 && b <= 1)) throw new WayfinderError(`--betas: beta ${b} is outside [0, 1]`);
  const backend = await initBackend();
  const plan = {
    alphas: alphas ?? (full ? [0, 0.25, 0.5, 0.75, 1] : [0, 0.5, 1]),
    gammas: gammas ?? (full ? [0.1, 0.25, 0.5, 1, 2] : [0.1, 0.5]),
    seeds: seeds ?? (full ? 5 : 2),
    budget: budget ?? 100,
    ...(betas ? { betas } : {}),
    ...(Object.keys(settings).length ? { settings } : {}),
  };
  const loaded = pools.map((name) => {
    if (name === "hpc") name = "npb"; // the paper's name for the NPB pool
    if (!(name in ARTIFACT_POOLS)) throw new WayfinderError(`--pools: unknown pool ${quote(name)}; known: ${Object.keys(ARTIFACT_POOLS).join(", ")}`);
    const file = artifactPool(name as ArtifactPoolName);
    return { name, pool: replayPool(loadDataset(file), file) };
  });
  console.log(`ablation on ${pools.join(", ")}: alpha ${plan.alphas.join(",")} x gamma ${plan.gammas.join(",")}${betas ? ` x beta ${betas.join(",")}` : ""}, ${plan.seeds} seeds, budget ${plan.budget}, backend ${backend.name}`);
  const result = await runAblation({
    ...plan, pools: loaded, command: `wayfinder deeptune ablation ${argv.join(" ")}`.trim(),
    onCell: (c) => console.log(`${c.pool} alpha=${c.alpha} gamma=${c.gamma} beta=${c.beta}: best@${Math.min(100, plan.budget)} ${c.bestAt.toFixed(2)}, regret ${c.regret.toFixed(3)}, crash ${c.crashRate.toFixed(3)}, ask ${c.askSeconds.toFixed(2)} s`),
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 1) + "\n");
  console.log(`wrote ${out}`);
  return 0;
}

const mergeUsage = `usage: wayfinder deeptune merge <sweep.json>... --out <file.json>

Merges ablation sweeps run in parts (one process per pool, or new cells added to an earlier grid) into one
file for notebooks/ablation-alpha-gamma.ipynb. The parts must share budget, checkpoint and seeds; a cell in
several parts must hold the same results in each (the runs are seeded). --out may name one of the inputs.`;

function mergeCommand(argv: string[]): number {
  const files: string[] = [];
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") out = argv[++i];
    else if (argv[i].startsWith("--")) throw new WayfinderError(`unexpected argument ${quote(argv[i])}\n${mergeUsage}`);
    else files.push(argv[i]);
  }
  if (files.length === 0 || !out) throw new WayfinderError(`deeptune merge needs at least one sweep file and --out <file>\n${mergeUsage}`);
  const parts = files.map((where) => ({ where, result: readAblation(where) }));
  const merged = mergeAblations(parts);
  const missing = missingCells(merged);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(merged, null, 1) + "\n");
  console.log(`merged ${files.length} sweep(s) into ${out}: ${merged.cells.length} cells, alpha ${merged.alphas.join(",")} x gamma ${merged.gammas.join(",")} x beta ${merged.betas!.join(",")} on ${merged.pools.map((p) => p.name).join(", ")}`);
  if (missing.length > 0) console.log(`${missing.length} cell(s) of that grid were not run (blank in the heatmaps): ${missing.slice(0, 5).join("; ")}${missing.length > 5 ? "; ..." : ""}`);
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === "--help" || sub === "-h") {
    console.log([usage, ablationUsage, mergeUsage].join("\n\n"));
    return 0;
  }
  if (sub === "eval") return rest.includes("--help") ? (console.log(usage), 0) : evalCommand(rest);
  if (sub === "ablation") return rest.includes("--help") ? (console.log(ablationUsage), 0) : ablationCommand(rest);
  if (sub === "merge") return rest.includes("--help") ? (console.log(mergeUsage), 0) : mergeCommand(rest);
  throw new WayfinderError(`unknown deeptune command ${quote(sub)}; valid: eval, ablation, merge`);
}
