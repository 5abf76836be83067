/**
 * One search run as the analysis sees it: the objective per iteration (null for a crash) and, when known,
 * the seconds each iteration took. Built from a DeepTune trace dataset, from a replay, or from a shuffled
 * pool (random-baseline.ts).
 */
import type { ColumnTable } from "arquero";
import type { Dataset } from "../datasets/types";
import { fail } from "../errors";

export interface TraceRun {
  label: string;
  /** Objective (or normalised objective) per iteration; null for a crashed evaluation. */
  values: Array<number | null>;
  /** Wall seconds of each iteration (test + search update), when known. */
  seconds?: number[];
}

/**
 * A run from a trace dataset, in acquisition order. `column` picks the value: the objective (default) or
 * another numeric column such as the traces' throughput_norm. Crashed rows become null.
 */
export function traceRun(dataset: Dataset, options: { label?: string; column?: string } = {}): TraceRun {
  const { table, schema } = dataset;
  const column = options.column ?? schema.objective.name;
  if (!table.columnNames().includes(column))
    fail(`${schema.provenance.source}: no column ${JSON.stringify(column)}; the columns are ${table.columnNames().join(", ")}`);
  const values = table.array(column) as ArrayLike<number | null>;
  const crashed = table.array(schema.crashColumn) as ArrayLike<boolean>;
  const order = schema.idColumn ? (table.array(schema.idColumn) as ArrayLike<number>) : undefined;
  const idx = Array.from({ length: table.numRows() }, (_, i) => i);
  if (order && idx.every((i) => typeof order[i] === "number")) idx.sort((a, b) => order[a] - order[b]);
  return {
    label: options.label ?? schema.provenance.source,
    values: idx.map((i) => (crashed[i] || values[i] === null || !Number.isFinite(values[i] as number) ? null : (values[i] as number))),
  };
}

/**
 * Seconds of each DeepTune update from a timing log table (n_samples, time): the update that follows
 * iteration i (0-based) is the row with n_samples = i + 1; iterations without a row (the first, or past
 * the log's end) get 0 and are counted in `missing`.
 */
export function updateSeconds(log: ColumnTable, iterations: number): { seconds: number[]; missing: number } {
  const n = log.array("n_samples") as ArrayLike<number>;
  const t = log.array("time") as ArrayLike<number>;
  const byN = new Map<number, number>();
  for (let i = 0; i < n.length; i++) byN.set(n[i], t[i]);
  let missing = 0;
  const seconds = Array.from({ length: iterations }, (_, i) => {
    const s = byN.get(i + 1);
    if (s === undefined) {
      missing++;
      return 0;
    }
    return s;
  });
  return { seconds, missing };
}
