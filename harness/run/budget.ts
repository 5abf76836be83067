/**
 * Parsing of `--budget`: a plain integer is a number of evaluations; a number with a unit (s, m, h,
 * combinable as in "1h30m") is wall-clock running time.
 */
import { WayfinderError, quote } from "../../lib/errors";
import type { Budget } from "../store/study-store";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

export function parseBudget(text: string): Budget {
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n <= 0 || !Number.isSafeInteger(n)) {
      throw new WayfinderError(`--budget ${quote(text)}: a number of evaluations must be a positive integer`);
    }
    return { iterations: n };
  }
  if (/^(\d+(\.\d+)?[smh])+$/.test(t)) {
    let seconds = 0;
    for (const m of t.matchAll(/(\d+(?:\.\d+)?)([smh])/g)) seconds += Number(m[1]) * UNIT_SECONDS[m[2]];
    if (seconds <= 0) throw new WayfinderError(`--budget ${quote(text)}: a duration must be longer than zero`);
    return { seconds };
  }
  throw new WayfinderError(
    `--budget ${quote(text)} is neither a number of evaluations (e.g. 20) nor a duration (e.g. 90s, 30m, 1h30m)`,
  );
}

export function formatBudget(budget: Budget): string {
  return "iterations" in budget ? `${budget.iterations} evaluations` : formatDuration(budget.seconds);
}

/** Compact h/m/s rendering for progress lines, e.g. 3725 -> "1h02m05s", 65 -> "1m05s", 7.4 -> "7s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h}h${pad(m)}m${pad(r)}s`;
  if (m > 0) return `${m}m${pad(r)}s`;
  return `${r}s`;
}
