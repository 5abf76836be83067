/**
 * Each non-crashed row's objective as a fraction of the dataset's best, so pools with different units and
 * directions share one axis: 1 is the best row, 0.5 is half as good (half the throughput when maximising,
 * twice the latency or memory when minimising).
 */
import { summarizeDataset } from "./summarize-dataset";
import type { Dataset } from "./types";

export function relativeToBest(dataset: Dataset): number[] {
  const { best } = summarizeDataset(dataset);
  const { table, schema } = dataset;
  if (best === null) return [];
  const values = table.array(schema.objective.name) as ArrayLike<number | null>;
  const crashed = table.array(schema.crashColumn) as ArrayLike<boolean>;
  const max = schema.objective.direction === "max";
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (crashed[i] || v === null) continue;
    out.push(max ? v / best : best / v);
  }
  return out;
}
