/**
 * Convergence plots (Fig. 6, 9, 10, 11): for each search, its mean curve with a shaded band (mean +- one
 * standard deviation across runs) against iterations or cumulative time, and optionally its crash rate
 * as a dotted line on a second axis in percent.
 */
import type { ConvergenceCurves } from "../analysis/convergence-curves";
import type { Figure } from "./figure";
import { axis, baseLayout, translucent } from "./style";

export interface CurveSeries {
  name: string;
  color: string;
  /** x values (iterations or seconds) and the curve with its band. */
  x: number[];
  mean: number[];
  lower?: number[];
  upper?: number[];
  /** Share of runs crashed per x, 0..1 (drawn on the second axis). */
  crashRate?: number[];
  dash?: "solid" | "dot" | "dash";
}

/** A series from convergence curves: smoothed band, against time when the curves have it (or iterations). */
export function seriesFromCurves(name: string, color: string, c: ConvergenceCurves, x: "iteration" | "time" = "time", smoothed = true): CurveSeries {
  const b = smoothed ? c.smoothed : c.raw;
  const xs = x === "time" && c.time ? c.time : c.iteration;
  return { name, color, x: xs, mean: b.mean, lower: b.lower, upper: b.upper, crashRate: b.crashRate };
}

const round = (xs: number[], digits = 5) => xs.map((v) => Number(v.toPrecision(digits)));

export function convergenceFigure(
  series: CurveSeries[],
  options: { title: string; xTitle: string; yTitle: string; crashAxis?: boolean; yRange?: [number, number] },
): Figure {
  const data: Array<Record<string, unknown>> = [];
  for (const s of series) {
    const x = round(s.x);
    if (s.lower && s.upper) {
      data.push({ type: "scatter", mode: "lines", x, y: round(s.upper), line: { width: 0 }, hoverinfo: "skip", showlegend: false, legendgroup: s.name });
      data.push({
        type: "scatter", mode: "lines", x, y: round(s.lower), line: { width: 0 }, fill: "tonexty",
        fillcolor: translucent(s.color, 0.18), hoverinfo: "skip", showlegend: false, legendgroup: s.name,
      });
    }
    data.push({ type: "scatter", mode: "lines", name: s.name, x, y: round(s.mean), line: { color: s.color, width: 2, dash: s.dash ?? "solid" }, legendgroup: s.name });
    if (options.crashAxis && s.crashRate)
      data.push({
        type: "scatter", mode: "lines", name: `${s.name} crash rate`, x, y: round(s.crashRate.map((r) => 100 * r), 4), yaxis: "y2",
        line: { color: s.color, width: 1.2, dash: "dot" }, legendgroup: s.name,
      });
  }
  return {
    data,
    layout: baseLayout(options.title, {
      xaxis: axis(options.xTitle),
      yaxis: axis(options.yTitle, options.yRange ? { range: options.yRange } : {}),
      ...(options.crashAxis ? { yaxis2: axis("crash rate (%)", { overlaying: "y", side: "right", range: [0, 100], showgrid: false }) } : {}),
    }),
  };
}
