/**
 * Plain line plots with an optional second y axis (cost curves of Fig. 7 and 8: seconds per update and
 * memory against the number of samples), and bar charts with error bars.
 */
import type { Figure } from "./figure";
import { axis, baseLayout } from "./style";

export interface LineSeries {
  name: string;
  x: number[];
  y: Array<number | null>;
  color: string;
  /** Draw against the right-hand axis. */
  right?: boolean;
  dash?: "solid" | "dot" | "dash";
  mode?: "lines" | "markers" | "lines+markers";
}

export function lineFigure(
  series: LineSeries[],
  options: { title: string; xTitle: string; yTitle: string; y2Title?: string; xLog?: boolean; yLog?: boolean; y2Log?: boolean },
): Figure {
  return {
    data: series.map((s) => ({
      type: "scatter",
      mode: s.mode ?? "lines",
      name: s.name,
      x: s.x.map((v) => Number(v.toPrecision(6))),
      y: s.y.map((v) => (v === null ? null : Number(v.toPrecision(6)))),
      line: { color: s.color, width: 2, dash: s.dash ?? "solid" },
      marker: { color: s.color, size: 5 },
      ...(s.right ? { yaxis: "y2" } : {}),
    })),
    layout: baseLayout(options.title, {
      xaxis: axis(options.xTitle, options.xLog ? { type: "log" } : {}),
      yaxis: axis(options.yTitle, options.yLog ? { type: "log" } : {}),
      ...(options.y2Title
        ? { yaxis2: axis(options.y2Title, { overlaying: "y", side: "right", showgrid: false, ...(options.y2Log ? { type: "log" } : {}) }) }
        : {}),
    }),
  };
}

export interface BarGroup {
  name: string;
  color: string;
  categories: string[];
  values: number[];
  errors?: number[];
}

export function barFigure(groups: BarGroup[], options: { title: string; yTitle: string; xTitle?: string; yLog?: boolean }): Figure {
  return {
    data: groups.map((g) => ({
      type: "bar",
      name: g.name,
      x: g.categories,
      y: g.values.map((v) => Number(v.toPrecision(6))),
      marker: { color: g.color },
      ...(g.errors ? { error_y: { type: "data", array: g.errors.map((v) => Number(v.toPrecision(6))), visible: true } } : {}),
    })),
    layout: baseLayout(options.title, {
      barmode: "group",
      xaxis: axis(options.xTitle ?? ""),
      yaxis: axis(options.yTitle, options.yLog ? { type: "log" } : {}),
    }),
  };
}
