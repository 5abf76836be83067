/**
 * `--set name=value`, the searcher-setting flag of replay and deeptune ablation, parsed in one place so
 * both accept and refuse the same spellings.
 */
import { WayfinderError, quote } from "../../lib/errors";

/** Splits at the first "="; a missing "=" or an empty name is an error naming the argument. */
export function parseSetOption(raw: string): { name: string; value: string } {
  const j = raw.indexOf("=");
  if (j <= 0) throw new WayfinderError(`--set ${quote(raw)} is not valid; expected name=value`);
  return { name: raw.slice(0, j), value: raw.slice(j + 1) };
}
