/**
 * The identity of a configuration: names sorted, values compared as text, so {A: 64, B: "y"} and
 * {B: "y", A: "64"} are the same point (tables, files and command lines disagree on value types).
 * Searchers use it to never propose a configuration twice.
 */
import type { Value } from "../datasets/types";

export function configKey(config: Record<string, Value>): string {
  const names = Object.keys(config).sort();
  let s = "";
  for (const n of names) s += `${n}\u0001${String(config[n])}\u0002`;
  return s;
}
