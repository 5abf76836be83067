/**
 * Reading searcher-specific settings, which arrive typed from job files and as strings from the command
 * line. Errors name the searcher, the setting, the bad value and what is valid.
 */
import { WayfinderError, quote } from "../errors";
import type { SearcherOptions } from "./searcher";

export function numberSetting(
  searcher: string,
  options: SearcherOptions,
  name: string,
  fallback: number,
  limits: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const raw = options.settings?.[name];
  if (raw === undefined) return fallback;
  const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  const what = `${limits.integer ? "an integer" : "a number"}${limits.min !== undefined ? ` >= ${limits.min}` : ""}${limits.max !== undefined ? ` <= ${limits.max}` : ""}`;
  if (!Number.isFinite(n) || (limits.integer && !Number.isInteger(n)) || (limits.min !== undefined && n < limits.min) || (limits.max !== undefined && n > limits.max)) {
    throw new WayfinderError(`searcher ${searcher}: setting ${name} = ${quote(raw)} is invalid; expected ${what}`);
  }
  return n;
}

export function stringSetting(searcher: string, options: SearcherOptions, name: string, allowed?: readonly string[]): string | undefined {
  const raw = options.settings?.[name];
  if (raw === undefined) return undefined;
  const s = String(raw);
  if (allowed && !allowed.includes(s)) throw new WayfinderError(`searcher ${searcher}: setting ${name} = ${quote(raw)} is invalid; expected one of ${allowed.join(", ")}`);
  return s;
}
