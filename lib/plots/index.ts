// Public API of the plots: figure specs as plain plotly data, and their static export.
export { PLOTLY_MIME, type Figure, type NamedFigure } from "./figure";
export { COLORS, PALETTE, FONT, axis, baseLayout, translucent } from "./style";
export { exportFigures, defaultPlotlyPath, type ExportOptions, type ExportedFile, type ImageFormat } from "./export-figures";
export { imageInfo, type ImageInfo } from "./image-info";
export { similarityHeatmap } from "./similarity-heatmap";
export { convergenceFigure, seriesFromCurves, type CurveSeries } from "./convergence-figure";
export { lineFigure, barFigure, type LineSeries, type BarGroup } from "./line-figure";
export {
  artifactPaths,
  figure5,
  figure6,
  figure7,
  figure8,
  figure9,
  figure10,
  figure11,
  FIG6_APPS,
  RISCV_REFERENCE_BYTES,
  type ArtifactPaths,
  type Fig6App,
  type Figure5,
  type Figure6,
  type CostCurve,
  type PolicyCurve,
} from "./paper-figures";
export { table2, table2Figure, table4, PAPER_TABLE2, type Table2Row, type Table4Row } from "./paper-tables";
export { costComparisonFigures, readMeasuredCost, COST_DATA_FILE, type MeasuredCost } from "./cost-comparison-figure";
export { ablationHeatmaps, ABLATION_DATA_FILE } from "./ablation-heatmaps";
