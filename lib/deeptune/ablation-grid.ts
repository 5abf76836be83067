/**
 * Reads a saved alpha x gamma ablation (written by `wayfinder deeptune ablation`) into matrices for
 * heatmaps: rows = gamma, columns = alpha. Pure and free of TensorFlow, so notebooks can import it.
 */
import { fail } from "../errors";

export type AblationMetric = "bestAt" | "regret" | "crashRate";

export interface AblationFile {
  format: string;
  version: number;
  alphas: number[];
  gammas: number[];
  budget: number;
  checkpoint: number;
  seeds: number;
  pools: { name: string; best: number; direction: string }[];
  cells: { pool: string; alpha: number; gamma: number; bestAt: number; regret: number; crashRate: number }[];
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

/** z[g][a] = metric of (alpha a, gamma g) on `pool`; null where the cell was not run. */
export function ablationGrid(result: AblationFile, pool: string, metric: AblationMetric): (number | null)[][] {
  return result.gammas.map((g) =>
    result.alphas.map((a) => {
      const c = result.cells.find((x) => x.pool === pool && x.alpha === a && x.gamma === g);
      return c ? c[metric] : null;
    }),
  );
}
