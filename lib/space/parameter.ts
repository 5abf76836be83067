/**
 * One tunable parameter of a configuration space and what values it may take. A parameter is plain
 * data (it round-trips through JSON and job files); the helpers below answer domain questions about it.
 */
import type { Phase, Value } from "../datasets/types";
import type { Condition } from "./condition";

export type ParameterType = "integer" | "choice" | "boolean" | "tristate" | "fixed";

interface ParameterBase {
  name: string;
  /** When the value takes effect: decides whether changing it needs a rebuild, a reboot or neither. */
  phase: Phase;
  /** The value used when the parameter is not varied (phase not varied, or before any search). */
  default?: Value;
  /** The parameter exists only when this holds (e.g. ALLOCATOR == 'tinyalloc'); otherwise it is unset. */
  condition?: Condition;
  description?: string;
}

/**
 * An integer range. `scale: "log"` samples and encodes on a logarithmic scale (wide ranges such as
 * buffer sizes); `power` restricts the values to min * power^k <= max (e.g. 1, 2, 4, 8, 16); `step`
 * to min + k * step.
 */
export interface IntegerParameter extends ParameterBase {
  type: "integer";
  min: number;
  max: number;
  scale?: "linear" | "log";
  step?: number;
  power?: number;
}

/** An explicit list of values (names, numbers, hex strings, tuples), in the order given. */
export interface ChoiceParameter extends ParameterBase {
  type: "choice";
  values: Value[];
}

/** A two-valued switch. `values` = [on, off] as the target spells them; default ["y", "n"]. */
export interface BooleanParameter extends ParameterBase {
  type: "boolean";
  values?: [string, string];
}

/** A Kconfig tristate: y (built in), m (module), n (off). */
export interface TristateParameter extends ParameterBase {
  type: "tristate";
}

/** A value that never varies (a string or number the target needs, recorded for reproducibility). */
export interface FixedParameter extends ParameterBase {
  type: "fixed";
  value: Value;
}

export type Parameter = IntegerParameter | ChoiceParameter | BooleanParameter | TristateParameter | FixedParameter;

export const DEFAULT_BOOLEAN_VALUES: [string, string] = ["y", "n"];
export const TRISTATE_VALUES = ["y", "m", "n"] as const;

/** Above this many values an integer range is treated as continuous rather than enumerated. */
export const MAX_ENUMERATED = 100_000;

export function booleanValues(p: BooleanParameter): [string, string] {
  return p.values ?? DEFAULT_BOOLEAN_VALUES;
}

/** How many values the parameter can take (Infinity-free: ranges are finite integers). */
export function domainSize(p: Parameter): number {
  switch (p.type) {
    case "integer":
      if (p.power) return powerValues(p).length;
      return Math.floor((p.max - p.min) / (p.step ?? 1)) + 1;
    case "choice":
      return p.values.length;
    case "boolean":
      return 2;
    case "tristate":
      return 3;
    case "fixed":
      return 1;
  }
}

function powerValues(p: IntegerParameter): number[] {
  const out: number[] = [];
  const base = p.power!;
  // min 0 with power steps: keep 0 as a value, then continue from 1 (0 * base^k would stay 0).
  if (p.min <= 0) out.push(p.min);
  for (let v = Math.max(p.min, 1); v <= p.max && out.length < MAX_ENUMERATED; v *= base) out.push(v);
  return out;
}

/** Every value of the domain, in domain order, or null when the range is too large to list. */
export function domainValues(p: Parameter): Value[] | null {
  switch (p.type) {
    case "integer": {
      if (p.power) return powerValues(p);
      const n = domainSize(p);
      if (n > MAX_ENUMERATED) return null;
      const step = p.step ?? 1;
      return Array.from({ length: n }, (_, i) => p.min + i * step);
    }
    case "choice":
      return p.values.slice();
    case "boolean":
      return booleanValues(p).slice();
    case "tristate":
      return TRISTATE_VALUES.slice();
    case "fixed":
      return [p.value];
  }
}

/** Values compare as text, so 64 and "64" are the same value (files and tables disagree on types). */
export function sameValue(a: Value, b: Value): boolean {
  return String(a) === String(b);
}

/** Convert a value given in any spelling (e.g. "64" from a command line) to the domain's own value, or undefined. */
export function normalizeValue(p: Parameter, v: Value): Value | undefined {
  if (p.type === "integer") {
    const n = typeof v === "number" ? v : /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < p.min || n > p.max) return undefined;
    if (p.power) return powerValues(p).includes(n) ? n : undefined;
    if (p.step && (n - p.min) % p.step !== 0) return undefined;
    return n;
  }
  const values = domainValues(p)!;
  return values.find((x) => sameValue(x, v));
}

export function inDomain(p: Parameter, v: Value): boolean {
  return normalizeValue(p, v) !== undefined;
}

/** A short description of what is valid, for error messages. */
export function describeDomain(p: Parameter): string {
  switch (p.type) {
    case "integer": {
      const extra = p.power ? `, powers of ${p.power}` : p.step && p.step !== 1 ? `, step ${p.step}` : "";
      return `an integer in [${p.min}, ${p.max}]${extra}`;
    }
    case "fixed":
      return `only ${JSON.stringify(p.value)}`;
    default: {
      const values = domainValues(p)!;
      const shown = values.slice(0, 12).map((v) => JSON.stringify(v)).join(", ");
      return `one of ${shown}${values.length > 12 ? `, ... (${values.length} values)` : ""}`;
    }
  }
}

/** The value a parameter takes when nothing else is said: its default, else its first domain value. */
export function defaultValue(p: Parameter): Value {
  if (p.type === "fixed") return p.value;
  if (p.default !== undefined) return normalizeValue(p, p.default) ?? p.default;
  if (p.type === "integer") return p.min;
  return domainValues(p)![0];
}
