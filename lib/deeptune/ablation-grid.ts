/**
 * Reads a saved alpha x gamma ablation (written by `wayfinder deeptune ablation`) into matrices for
 * heatmaps: rows = gamma, columns = alpha, one grid per beta. Pure and free of TensorFlow, so notebooks
 * can import it. Files written before beta became an axis hold DeepTune's default beta (0.3) only.
 */
import { fail } from "../errors";

export type AblationMetric = "bestAt" | "regret" | "crashRate";

/** The beta of files and cells that do not say (DeepTune's default when they were written). */
const DEFAULT_BETA = 0.3;

export interface AblationFile {
  format: string;
  version: number;
  alphas: number[];
  gammas: number[];
  betas?: number[];
  budget: number;
  checkpoint: number;
  seeds: number;
  pools: { name: string; best: number; direction: string }[];
  cells: { pool: string; alpha: number; gamma: number; beta?: number; bestAt: number; regret: number; crashRate: number }[];
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
