/**
 * Plain-text rendering of dataset summaries for the command line and notebooks.
 */
import type { DatasetSummary } from "./summarize-dataset";

/** A number for people: integers as they are, others with `digits` decimals (trailing zeros kept off). */
export function formatNumber(v: number | null, digits = 2): string {
  if (v === null) return "-";
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toFixed(digits)));
}

/** Fixed-width text table; numbers are right-aligned. */
export function formatTextTable(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === "number" || /^-?[\d.]+$|^-$/.test(String(r[c]))));
  return cells
    .map((r) => r.map((s, c) => (numeric[c] ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join("  ").trimEnd())
    .join("\n");
}

export function describeDirection(summary: Pick<DatasetSummary, "direction">): string {
  return summary.direction === "max" ? "max (higher is better)" : "min (lower is better)";
}
