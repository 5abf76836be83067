/**
 * A figure is plain data: a plotly.js figure object (traces + layout), built by pure functions in this
 * folder from analysis results, and rendered elsewhere (inline in a notebook through the plotly MIME
 * type, or to SVG/PNG through headless Chromium). Tests check these objects' numbers, not pixels.
 */
export interface Figure {
  data: Array<Record<string, unknown>>;
  layout: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** A figure with the file name (no extension) and size it is exported under. */
export interface NamedFigure {
  name: string;
  figure: Figure;
  width?: number;
  height?: number;
}

/** The MIME type JupyterLab renders natively as an interactive plotly figure. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";
