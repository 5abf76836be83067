/**
 * The random-search baseline of the paper's figures: random search over a recorded pool is the pool's
 * rows in a random order, so each baseline run is a seeded shuffle of the pool. Values are the objective
 * relative to the pool's best (1 = best; for a minimised objective best / value), the scale of the
 * DeepTune traces' throughput_norm; crashed rows are null.
 */
import type { Dataset } from "../datasets/types";
import { fail } from "../errors";
import { Rng } from "../random";
import type { TraceRun } from "./trace-run";

export function randomBaseline(
  dataset: Dataset,
  options: { runs?: number; iterations?: number; seed?: number; relative?: boolean } = {},
): TraceRun[] {
  const { table, schema } = dataset;
  const n = table.numRows();
  const runs = options.runs ?? 5;
  const iterations = options.iterations ?? n;
  if (!Number.isInteger(runs) || runs < 1) fail(`runs ${JSON.stringify(runs)} is invalid; use an integer >= 1`);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > n)
    fail(`iterations ${JSON.stringify(iterations)} is invalid for ${schema.provenance.source}: the pool has ${n} rows; use 1..${n}`);
  const values = table.array(schema.objective.name) as ArrayLike<number | null>;
  const crashed = table.array(schema.crashColumn) as ArrayLike<boolean>;
  const max = schema.objective.direction === "max";
  let best: number | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!crashed[i] && v !== null && (best === null || (max ? v > best : v < best))) best = v;
  }
  const relative = options.relative ?? true;
  if (relative && (best === null || best === 0))
    fail(`${schema.provenance.source}: ${best === null ? "every row crashed" : "the best objective is 0"}; cannot express values relative to the best`);
  const value = (i: number): number | null => {
    const v = values[i];
    if (crashed[i] || v === null) return null;
    if (!relative) return v;
    return max ? v / best! : best! / v;
  };
  const rng = new Rng(options.seed ?? 0);
  const rows = Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: runs }, (_, r) => ({
    label: `random shuffle ${r + 1}`,
    values: rng.fork().shuffle(rows).slice(0, iterations).map(value),
  }));
}
