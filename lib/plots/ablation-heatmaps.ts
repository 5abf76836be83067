/**
 * The DeepTune alpha x gamma ablation (`wayfinder deeptune ablation`, saved as figures/data/deeptune-ablation.json)
 * as heatmaps: one figure per pool, three panels side by side (best value at the checkpoint, normalised
 * regret there, crash rate), gamma on the rows and alpha on the columns, the value printed in every cell.
 * Colour scales run from worse (light) to better (dark) in every panel, whatever the pool's direction, so
 * dark means "good" across all of them.
 */
import { ablationBetas, ablationGrid, type AblationFile, type AblationMetric } from "../deeptune/ablation-grid";
import type { NamedFigure } from "./figure";
import { baseLayout, FONT } from "./style";

/** Where `wayfinder deeptune ablation` saves the sweep, relative to the repository root. */
export const ABLATION_DATA_FILE = "figures/data/deeptune-ablation.json";

const PANELS: { metric: AblationMetric; title: (checkpoint: number) => string }[] = [
  { metric: "bestAt", title: (c) => `best after ${c}` },
  { metric: "regret", title: (c) => `normalised regret after ${c}` },
  { metric: "crashRate", title: () => "crash rate" },
];

const SCALE = [[0, "#f7fbff"], [0.5, "#6baed6"], [1, "#08306b"]];

/** Digits that tell neighbouring cells apart: whole units for large values, more for small ones. */
function label(v: number, metric: AblationMetric): string {
  if (metric !== "bestAt") return v.toFixed(3);
  return Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(1);
}

/** One heatmap figure per pool (at one beta: default the file's first). */
export function ablationHeatmaps(result: AblationFile, beta = ablationBetas(result)[0]): NamedFigure[] {
  const betas = ablationBetas(result);
  const alphas = result.alphas.map(String);
  const gammas = result.gammas.map(String);
  const width = 1 / PANELS.length;
  return result.pools.map((pool) => {
    const data: Record<string, unknown>[] = [];
    const annotations: Record<string, unknown>[] = [];
    const layout: Record<string, unknown> = {};
    PANELS.forEach(({ metric, title }, i) => {
      const z = ablationGrid(result, pool.name, metric, beta);
      const values = z.flat().filter((v): v is number => v !== null);
      // A pool without cells at this beta (possible in a merged file) gets an empty panel, not an Infinity scale.
      const lo = values.length > 0 ? Math.min(...values) : 0, hi = values.length > 0 ? Math.max(...values) : 1;
      // Higher is better only for the best value of a maximised objective; regret and crash rate are lower-is-better.
      const higherIsBetter = metric === "bestAt" && pool.direction === "max";
      const ax = i === 0 ? "" : String(i + 1);
      data.push({
        type: "heatmap", x: alphas, y: gammas, z, zmin: lo, zmax: hi, colorscale: SCALE, reversescale: !higherIsBetter,
        showscale: false, xaxis: `x${ax}`, yaxis: `y${ax}`,
        hovertemplate: `alpha %{x}, gamma %{y}: %{z}<extra>${title(result.checkpoint)}</extra>`,
      });
      z.forEach((row, gi) => row.forEach((v, ai) => {
        if (v === null) return;
        // Dark cells (the better end of the scale) get white text.
        const t = hi === lo ? 0.5 : (v - lo) / (hi - lo);
        const dark = higherIsBetter ? t > 0.6 : t < 0.4;
        // Positions by index: on a category axis plotly reads a numeric-looking label such as "0.5" as an index.
        annotations.push({ x: ai, y: gi, xref: `x${ax}`, yref: `y${ax}`, text: label(v, metric), showarrow: false, font: { ...FONT, size: 11, color: dark ? "white" : "#222" } });
      }));
      annotations.push({ text: title(result.checkpoint), xref: "paper", yref: "paper", x: i * width + width / 2, y: 1.08, xanchor: "center", showarrow: false, font: FONT });
      layout[`xaxis${ax}`] = { domain: [i * width + 0.03, (i + 1) * width - 0.03], title: { text: "alpha" }, type: "category", tickfont: FONT };
      layout[`yaxis${ax}`] = { anchor: `x${ax}`, title: { text: i === 0 ? "gamma" : "" }, type: "category", tickfont: FONT };
    });
    const betaNote = betas.length > 1 || beta !== betas[0] ? `, beta ${beta}` : "";
    return {
      name: `deeptune-ablation-${pool.name}`,
      width: 1200,
      height: 420,
      figure: {
        data,
        layout: baseLayout(`DeepTune alpha x gamma on ${pool.name} (${result.seeds} seeds, ${result.budget} iterations${betaNote}; pool best ${pool.best})`, {
          ...layout, annotations, margin: { l: 70, r: 30, t: 80, b: 60 },
        }),
      },
    };
  });
}
