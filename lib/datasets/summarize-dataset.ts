/**
 * The headline numbers of a dataset, as `wayfinder dataset info` prints them: rows, parameters (all and
 * varying), crashes, best and median objective. The median is over non-crashed rows only, since a
 * crashed row has no objective value.
 */
import type { Dataset, Direction, Value } from "./types";

export interface DatasetSummary {
  rows: number;
  parameters: number;
  varyingParameters: number;
  objective: string;
  unit?: string;
  direction: Direction;
  crashed: number;
  /** Best objective among non-crashed rows (max or min by direction), null when every row crashed. */
  best: number | null;
  /** Identifier (idColumn value, else 0-based row index) of the first row reaching `best`. */
  bestId: Value | null;
  /** Median objective among non-crashed rows (mean of the two middle values for an even count). */
  median: number | null;
  /** Rows left out of the table while reading, from provenance.droppedRows. */
  droppedRows: number;
}

export function summarizeDataset({ table, schema }: Dataset): DatasetSummary {
  const values = table.array(schema.objective.name) as ArrayLike<number | null>;
  const crashedFlags = table.array(schema.crashColumn) as ArrayLike<boolean>;
  const ids = schema.idColumn ? (table.array(schema.idColumn) as ArrayLike<Value>) : undefined;
  const ok: number[] = [];
  let crashed = 0;
  let best: number | null = null;
  let bestId: Value | null = null;
  const better = schema.objective.direction === "max" ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  for (let i = 0; i < values.length; i++) {
    if (crashedFlags[i]) {
      crashed++;
      continue;
    }
    const v = values[i];
    if (v === null || v === undefined) continue;
    ok.push(v);
    if (best === null || better(v, best)) {
      best = v;
      bestId = ids ? ids[i] : i;
    }
  }
  ok.sort((a, b) => a - b);
  const m = ok.length;
  const median = m === 0 ? null : m % 2 === 1 ? ok[(m - 1) / 2] : (ok[m / 2 - 1] + ok[m / 2]) / 2;
  return {
    rows: table.numRows(),
    parameters: schema.parameters.length,
    varyingParameters: schema.parameters.filter((p) => !p.constant).length,
    objective: schema.objective.name,
    ...(schema.objective.unit !== undefined ? { unit: schema.objective.unit } : {}),
    direction: schema.objective.direction,
    crashed,
    best,
    bestId,
    median,
    droppedRows: schema.provenance.droppedRows?.length ?? 0,
  };
}
