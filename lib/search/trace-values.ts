/**
 * A recorded search trace (e.g. the paper's DeepTune acquisitions_K.xlsx: one row per iteration, in
 * perm_id order) as a value sequence in the unit of the matching pool, so it can be scored with the
 * replay metrics next to our searchers. `toPoolUnit` converts where the trace and the pool disagree
 * (SQLite traces store 1/latency; the riscv trace stores bytes saved = 214761472 - bytes used).
 */
import { datasetRows } from "../datasets/dataset-rows";
import type { Dataset } from "../datasets/types";

export function traceValues(trace: Dataset, toPoolUnit: (v: number) => number = (v) => v): (number | null)[] {
  const rows = datasetRows(trace, []);
  const order = rows.map((r, i) => ({ i, id: r.id === undefined ? i : Number(String(r.id).replace(/,/g, "")) }));
  order.sort((a, b) => a.id - b.id || a.i - b.i);
  return order.map(({ i }) => {
    const r = rows[i];
    return r.crashed || r.objective === null || !Number.isFinite(r.objective) ? null : toPoolUnit(r.objective);
  });
}
