/**
 * Readers for the fields of a target section (Linux VM or Unikraft): each checks one value's shape and
 * reports a problem through `fail` with the value's path, so errors can point at file:line:column.
 */
import { fail as failPlain, quote } from "../../lib/errors";

export type TargetPath = (string | number)[];
export type Fail = (path: TargetPath, message: string) => never;

/** Without a source map: "target.a.b[2]: message". */
export const defaultTargetFail: Fail = (path, message) =>
  failPlain(`target${path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("")}: ${message}`);

export function fieldReaders(fail: Fail) {
  const obj = (v: unknown, path: TargetPath, keys: string[], what: string, required = false): Record<string, unknown> => {
    if (v === undefined || v === null) {
      if (required) fail(path, `missing ${what}`);
      return {};
    }
    if (typeof v !== "object" || Array.isArray(v)) fail(path, `${what} must be a mapping, not ${quote(v)}`);
    for (const k of Object.keys(v as object)) {
      if (!keys.includes(k)) fail([...path, k], `unknown key ${quote(k)} in ${what}; valid keys: ${keys.join(", ")}`);
    }
    return v as Record<string, unknown>;
  };
  const str = (v: unknown, path: TargetPath, re?: RegExp, hint?: string): string => {
    if (typeof v !== "string" || v === "") fail(path, `expected a non-empty string, got ${quote(v)}`);
    if (re && !re.test(v)) fail(path, `${quote(v)} is not valid; expected ${hint}`);
    return v;
  };
  const optStr = (v: unknown, path: TargetPath, re?: RegExp, hint?: string) => (v === undefined ? undefined : str(v, path, re, hint));
  const list = (v: unknown, path: TargetPath): unknown[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) fail(path, `expected a list, got ${quote(v)}`);
    return v;
  };
  /** A number in [min, max] (an integer unless `int` is false); `dflt` when absent, if there is one. */
  const num = (v: unknown, path: TargetPath, dflt: number | undefined, min: number, max: number, int = true): number => {
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== "number" || !Number.isFinite(v) || (int && !Number.isInteger(v)) || v < min || v > max) {
      fail(path, `expected ${int ? "an integer" : "a number"} from ${min} to ${max}, got ${quote(v)}`);
    }
    return v;
  };
  const bool = (v: unknown, path: TargetPath, dflt: boolean): boolean => {
    if (v === undefined) return dflt;
    if (typeof v !== "boolean") fail(path, `expected true or false, got ${quote(v)}`);
    return v;
  };
  return { obj, str, optStr, list, num, bool };
}
