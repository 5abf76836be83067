/**
 * Check a requested set of compile-time options against a Kconfig tree before anything is built, and
 * spell every value the way .config files do. Unknown symbols and values of the wrong type are bad
 * input (a WayfinderError listing every problem, with close symbol names); two members of one choice
 * both set to y is a legitimate point of a search space that cannot be built, so it is returned as a
 * conflict for the caller to classify.
 */
import { WayfinderError, quote } from "../errors";
import { quoteConfigString } from "./render-config-fragment";
import type { KconfigTree, KconfigType } from "./types";

export type RequestedValue = string | number | boolean;

export interface ChoiceConflict {
  /** The choice's name or its location. */
  choice: string;
  /** Members requested as y. */
  members: string[];
}

export interface NormalizedConfigRequest {
  /** Symbol name (without CONFIG_) → value as written in .config. */
  values: Record<string, string>;
  choiceConflicts: ChoiceConflict[];
}

export function normalizeConfigRequest(tree: KconfigTree, request: Record<string, RequestedValue>): NormalizedConfigRequest {
  const problems: string[] = [];
  const values: Record<string, string> = {};
  for (const [rawName, raw] of Object.entries(request)) {
    const name = rawName.replace(/^CONFIG_/, "");
    const sym = tree.symbols.get(name);
    if (!sym) {
      const near = nearNames(tree, name);
      problems.push(`${rawName}: no such Kconfig symbol in ${tree.root} (${tree.scope})${near.length ? `; did you mean ${near.join(", ")}?` : ""}`);
      continue;
    }
    if (!sym.type) {
      problems.push(`${rawName}: the symbol has no type in this tree, so it cannot be set`);
      continue;
    }
    const v = normalizeValue(sym.type, raw);
    if (v === undefined) problems.push(`${rawName}: ${quote(raw)} is not a valid ${sym.type} value; expected ${expected(sym.type)}`);
    else values[name] = v;
  }
  if (problems.length) throw new WayfinderError(`bad compile-time options:\n  ${problems.join("\n  ")}`, { problems });

  const choiceConflicts: ChoiceConflict[] = [];
  tree.choices.forEach((c) => {
    const on = c.members.filter((m) => values[m] === "y");
    if (on.length > 1) choiceConflicts.push({ choice: c.name ?? `choice at ${c.location.file}:${c.location.line}`, members: on });
  });
  return { values, choiceConflicts };
}

/** A value in .config spelling, or undefined when it does not fit the type. */
export function normalizeValue(type: KconfigType, raw: RequestedValue): string | undefined {
  const s = typeof raw === "string" ? raw.trim() : raw;
  switch (type) {
    case "bool":
    case "tristate": {
      const t = String(s).toLowerCase();
      if (["y", "yes", "on", "true", "1"].includes(t)) return "y";
      if (["n", "no", "off", "false", "0"].includes(t)) return "n";
      if (t === "m" && type === "tristate") return "m";
      return undefined;
    }
    case "int": {
      if (typeof s === "number") return Number.isSafeInteger(s) ? String(s) : undefined;
      if (typeof s === "string" && /^-?\d+$/.test(s)) return String(BigInt(s));
      return undefined;
    }
    case "hex": {
      if (typeof s === "number") return Number.isSafeInteger(s) && s >= 0 ? `0x${s.toString(16)}` : undefined;
      if (typeof s === "string" && /^(0[xX])?[0-9a-fA-F]+$/.test(s)) return `0x${s.replace(/^0[xX]/, "").toLowerCase()}`;
      return undefined;
    }
    case "string":
      return typeof s === "boolean" ? undefined : quoteConfigString(String(raw));
  }
}

function expected(type: KconfigType): string {
  switch (type) {
    case "bool": return "y or n (or true/false, 1/0)";
    case "tristate": return "y, m or n";
    case "int": return "a decimal integer";
    case "hex": return "a hexadecimal number such as 0x1000";
    case "string": return "a string";
  }
}

/** Up to three defined names within edit distance 2 (case-insensitive), closest first. */
function nearNames(tree: KconfigTree, name: string): string[] {
  const target = name.toUpperCase();
  const scored: [number, string][] = [];
  for (const other of tree.symbols.keys()) {
    if (Math.abs(other.length - target.length) > 2) continue;
    const d = editDistance(target, other.toUpperCase(), 2);
    if (d <= 2) scored.push([d, other]);
  }
  return scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1])).slice(0, 3).map(([, n]) => n);
}

/** Levenshtein distance, giving up (returning limit + 1) once every path exceeds `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]!);
    }
    if (best > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length]!;
}
