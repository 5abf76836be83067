/**
 * Fig. 5: the cross-application similarity matrix as an annotated heatmap (rows and columns labelled by
 * application, value printed in every cell).
 */
import type { SimilarityResult } from "../analysis/similarity-matrix";
import type { Figure } from "./figure";
import { baseLayout, FONT } from "./style";

export function similarityHeatmap(result: Pick<SimilarityResult, "labels" | "matrix">, title = "Similarity of parameter importance", subtitle = ""): Figure {
  const { labels, matrix } = result;
  const annotations = matrix.flatMap((row, i) =>
    row.map((v, j) => ({
      x: labels[j],
      y: labels[i],
      text: v.toFixed(3),
      showarrow: false,
      font: { ...FONT, color: v > 0.75 ? "white" : "#222" },
    })),
  );
  return {
    data: [
      {
        type: "heatmap",
        x: labels,
        y: labels,
        z: matrix.map((r) => r.slice()),
        zmin: 0,
        zmax: 1,
        colorscale: [[0, "#f7fbff"], [0.5, "#6baed6"], [1, "#08306b"]],
        colorbar: { title: { text: "similarity" } },
        hovertemplate: "%{y} vs %{x}: %{z:.3f}<extra></extra>",
      },
    ],
    layout: baseLayout(title, {
      annotations,
      xaxis: { side: "bottom", tickfont: FONT, title: { text: subtitle } },
      yaxis: { autorange: "reversed", tickfont: FONT },
      margin: { l: 80, r: 40, t: 50, b: 60 },
    }),
  };
}
