/**
 * Our DeepTune's measured cost curve (`wayfinder bench deeptune`, saved as figures/data/deeptune-cost.json)
 * beside the paper's recorded one (Fig. 7's DeepTune timing log): time per search iteration and the
 * process's memory against the number of samples, on log axes because the two differ by an order of
 * magnitude in memory.
 */
import { readFileSync } from "node:fs";
import { fail, quote } from "../errors";
import type { NamedFigure } from "./figure";
import { lineFigure, type LineSeries } from "./line-figure";
import { COLORS, PALETTE } from "./style";
import type { CostCurve } from "./paper-figures";

/** Where `wayfinder bench deeptune` saves the curve, relative to the repository root. */
export const COST_DATA_FILE = "figures/data/deeptune-cost.json";

/** What the cost bench records, one entry per history size. */
export interface MeasuredCost {
  command: string;
  backend: string;
  /** Candidates scored per iteration. */
  poolSize: number;
  rows: { samples: number; wallSeconds: number; cpuSeconds: number; rssMb: number }[];
}

export function readMeasuredCost(file: string): MeasuredCost {
  let data: MeasuredCost;
  try {
    data = JSON.parse(readFileSync(file, "utf8")) as MeasuredCost;
  } catch (err) {
    return fail(`${quote(file)}: not a readable cost file (${(err as Error).message}); write it with wayfinder bench deeptune`);
  }
  if (!Array.isArray(data.rows) || data.rows.length === 0 || data.rows.some((r) => !(r.samples > 0) || !(r.cpuSeconds >= 0) || !(r.rssMb > 0)))
    fail(`${quote(file)}: rows must be a non-empty list of {samples, wallSeconds, cpuSeconds, rssMb}; write it with wayfinder bench deeptune`);
  return data;
}

export function costComparisonFigures(ours: MeasuredCost, paper: CostCurve): NamedFigure[] {
  const x = ours.rows.map((r) => r.samples);
  const paperLine = (key: "seconds" | "megabytes"): LineSeries => ({ name: "DeepTune (paper's log)", x: paper.samples, y: paper[key], color: COLORS.deeptune, mode: "lines" });
  return [
    {
      name: "deeptune-cost-time",
      figure: lineFigure(
        [
          paperLine("seconds"),
          { name: `ours, CPU s (${ours.backend})`, x, y: ours.rows.map((r) => r.cpuSeconds), color: PALETTE[1], mode: "lines+markers" },
          { name: "ours, wall s", x, y: ours.rows.map((r) => r.wallSeconds), color: PALETTE[1], dash: "dot", mode: "lines+markers" },
        ],
        { title: `Time per search iteration (update + scoring ${ours.poolSize} candidates)`, xTitle: "samples", yTitle: "seconds", yLog: true },
      ),
      width: 700,
      height: 440,
    },
    {
      name: "deeptune-cost-memory",
      figure: lineFigure(
        [paperLine("megabytes"), { name: "ours, RSS", x, y: ours.rows.map((r) => r.rssMb), color: PALETTE[1], mode: "lines+markers" }],
        { title: "Memory of the search process", xTitle: "samples", yTitle: "MB", yLog: true },
      ),
      width: 700,
      height: 440,
    },
  ];
}
