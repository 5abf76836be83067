/**
 * Best value found so far at each iteration of a run, crashes (null) ignored; null until the first
 * non-crashed evaluation.
 */
import type { Direction } from "../datasets/types";

export function bestSoFar(values: ReadonlyArray<number | null>, direction: Direction = "max"): Array<number | null> {
  let best: number | null = null;
  return values.map((v) => {
    if (v !== null && Number.isFinite(v) && (best === null || (direction === "max" ? v > best : v < best))) best = v;
    return best;
  });
}
