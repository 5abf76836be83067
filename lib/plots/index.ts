// Public API of the plots: figure specs as plain plotly data, and their static export.
export { PLOTLY_MIME, type Figure, type NamedFigure } from "./figure";
export { COLORS, PALETTE, FONT, axis, baseLayout, translucent } from "./style";
export { exportFigures, defaultPlotlyPath, type ExportOptions, type ExportedFile, type ImageFormat } from "./export-figures";
export { imageInfo, type ImageInfo } from "./image-info";
export { similarityHeatmap } from "./similarity-heatmap";
