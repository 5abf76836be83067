/**
 * Reads a saved alpha x gamma ablation (written by `wayfinder deeptune ablation`) into matrices for
 * heatmaps: rows = gamma, columns = alpha, one grid per beta, and merges sweeps run in parts (one process
 * per pool, or new cells added to an old grid) into one file. Everything but readAblation is pure, and the
 * module is free of TensorFlow, so notebooks can import it. Files written before beta became an axis hold
 * DeepTune's default beta (0.3) only.
 */
import { readFileSync } from "node:fs";
import { fail } from "../errors";

export type AblationMetric = "bestAt" | "regret" | "crashRate";

/** The beta of files and cells that do not say (DeepTune's default when they were written). */
const DEFAULT_BETA = 0.3;

export interface AblationFile {
  format: string;
  version: number;
  /** How the sweep was produced (a merged file lists its parts' commands). */
  command?: string;
  alphas: number[];
  gammas: number[];
  betas?: number[];
  budget: number;
  checkpoint: number;
  seeds: number;
  /** DeepTune settings fixed for every cell; absent = the defaults of the version that ran it. */
  settings?: Record<string, string | number>;
  pools: { name: string; best: number; median?: number; direction: string }[];
  cells: AblationFileCell[];
}

export interface AblationFileCell {
  pool: string;
  alpha: number;
  gamma: number;
  beta?: number;
  seeds?: number;
  bestAt: number;
  regret: number;
  crashRate: number;
  askSeconds?: number;
}

export function parseAblation(text: string, where: string): AblationFile {
  let json: AblationFile;
  try {
    json = JSON.parse(text);
  } catch (err) {
    fail(`${where}: not valid JSON (${(err as Error).message})`);
  }
  if (json.format !== "wayfinder-deeptune-ablation" || json.version !== 1)
    fail(`${where}: not an ablation result of this version (format ${JSON.stringify(json.format)}, version ${json.version}); rerun wayfinder deeptune ablation`);
  return json;
}

/** Reads and parses a saved sweep; an unreadable file is an error naming it. */
export function readAblation(file: string): AblationFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return fail(`${file}: cannot read the ablation sweep (${(err as Error).message}); write it with wayfinder deeptune ablation`);
  }
  return parseAblation(text, file);
}

/** How merge errors and missingCells name a cell. */
function cellKey(pool: string, alpha: number, gamma: number, beta: number): string {
  return `${pool} alpha=${alpha} gamma=${gamma} beta=${beta}`;
}

/** A file's fixed settings as one comparable string ("name=value ...", sorted; empty when none). */
function settingsKey(result: AblationFile): string {
  return Object.entries(result.settings ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(" ");
}

/** The betas a file holds. */
export function ablationBetas(result: AblationFile): number[] {
  return result.betas ?? [DEFAULT_BETA];
}

/** z[g][a] = metric of (alpha a, gamma g) at `beta` (default: the file's first) on `pool`; null where the cell was not run. */
export function ablationGrid(result: AblationFile, pool: string, metric: AblationMetric, beta = ablationBetas(result)[0]): (number | null)[][] {
  return result.gammas.map((g) =>
    result.alphas.map((a) => {
      const c = result.cells.find((x) => x.pool === pool && x.alpha === a && x.gamma === g && (x.beta ?? DEFAULT_BETA) === beta);
      return c ? c[metric] : null;
    }),
  );
}

/** One input of mergeAblations: a parsed file and where it came from (for error messages). */
export interface NamedAblation {
  where: string;
  result: AblationFile;
}

/**
 * Merges sweeps into one: the union of their pools, axes and cells. The parts must agree on what a cell
 * means (budget, checkpoint, seeds, each pool's best, median and direction), else the merged heatmap would
 * mix incomparable numbers. A cell present in several parts must hold the same results in each: the
 * runs are seeded, so a difference means the parts ran different versions of DeepTune, and merging them
 * would be wrong. Timing (askSeconds) is allowed to differ; the first part's is kept.
 */
export function mergeAblations(parts: NamedAblation[]): AblationFile {
  if (parts.length === 0) fail("merging ablations: no files given");
  const first = parts[0];
  const pools = new Map<string, AblationFile["pools"][number]>();
  const cells = new Map<string, { cell: AblationFileCell; where: string }>();
  const axes = { alphas: new Set<number>(), gammas: new Set<number>(), betas: new Set<number>() };
  for (const { where, result } of parts) {
    for (const field of ["budget", "checkpoint", "seeds"] as const)
      if (result[field] !== first.result[field])
        fail(`${where}: ${field} ${result[field]} differs from ${first.where}'s ${first.result[field]}; only sweeps with the same ${field} can share a grid`);
    for (const p of result.pools) {
      const known = pools.get(p.name);
      if (!known) pools.set(p.name, p);
      else if (known.best !== p.best || known.direction !== p.direction || (known.median !== undefined && p.median !== undefined && known.median !== p.median))
        fail(`${where}: pool ${p.name} has best ${p.best}, median ${p.median}, direction ${p.direction} but another file has ${known.best}, ${known.median}, ${known.direction}; they were run on different data`);
    }
    if (settingsKey(result) !== settingsKey(first.result))
      fail(`${where}: fixed settings ${settingsKey(result) || "(none)"} differ from ${first.where}'s ${settingsKey(first.result) || "(none)"}; only sweeps run with the same settings can share a grid`);
    result.alphas.forEach((a) => axes.alphas.add(a));
    result.gammas.forEach((g) => axes.gammas.add(g));
    ablationBetas(result).forEach((b) => axes.betas.add(b));
    for (const c of result.cells) {
      const cell = { ...c, beta: c.beta ?? DEFAULT_BETA };
      const key = cellKey(cell.pool, cell.alpha, cell.gamma, cell.beta);
      const seen = cells.get(key);
      if (!seen) cells.set(key, { cell, where });
      else if (seen.cell.bestAt !== cell.bestAt || seen.cell.regret !== cell.regret || seen.cell.crashRate !== cell.crashRate)
        fail(`${where}: cell ${key} has best ${cell.bestAt}, crash rate ${cell.crashRate} but ${seen.where} has ${seen.cell.bestAt}, ${seen.cell.crashRate}; the same seeded runs must give the same results, so the files come from different versions of DeepTune: re-run one of them`);
    }
  }
  const sorted = (xs: Set<number>) => [...xs].sort((x, y) => x - y);
  const order = [...pools.keys()];
  const merged = [...cells.values()].map((c) => c.cell).sort((x, y) =>
    order.indexOf(x.pool) - order.indexOf(y.pool) || x.beta! - y.beta! || x.alpha - y.alpha || x.gamma - y.gamma);
  return {
    format: first.result.format, version: first.result.version,
    command: parts.map((p) => p.result.command ?? p.where).join("; "),
    budget: first.result.budget, checkpoint: first.result.checkpoint, seeds: first.result.seeds,
    ...(first.result.settings ? { settings: first.result.settings } : {}),
    alphas: sorted(axes.alphas), gammas: sorted(axes.gammas), betas: sorted(axes.betas),
    pools: [...pools.values()], cells: merged,
  };
}

/** Cells of the merged grid (pool x beta x alpha x gamma) that no part ran. */
export function missingCells(result: AblationFile): string[] {
  const run = new Set(result.cells.map((c) => cellKey(c.pool, c.alpha, c.gamma, c.beta ?? DEFAULT_BETA)));
  const missing: string[] = [];
  for (const p of result.pools) for (const b of ablationBetas(result)) for (const a of result.alphas) for (const g of result.gammas) {
    const key = cellKey(p.name, a, g, b);
    if (!run.has(key)) missing.push(key);
  }
  return missing;
}
