/**
 * Reader for the job files of the original (Go) Wayfinder, so users can bring theirs along. Format
 * notes: ../shared/docs/wayfinder-jobs.md. It maps `params` onto our space and reports every quirk it
 * had to resolve (with file:line:column), rather than tripping on it or fixing it silently:
 *
 * - phase: `when: build` (or no `when`) -> compile; `when: test` -> boot when the kernel command line
 *   passes it as `other_name=${NAME}` (a kernel parameter), else runtime (passed as NAME=${NAME} to the
 *   guest's init, which writes the sysctl);
 * - type: `only` with y/n or 1/0 -> boolean; `only` with one value and no range -> fixed; `only`
 *   with several values -> choice; `min`/`max` (`step`, `step_mode: power`) -> integer range. A range
 *   written with `only: [default]` (how the Linux examples hold runtime integers) is kept as the range
 *   [min, max] with that default, because the paper's datasets drew those values from the range; pass
 *   `{ onlyAsFixed: true }` to hold them fixed as the original schedulers did;
 * - `if` -> a condition (same expression language as ours).
 * Quirks: values listed twice, defaults outside the domain, integers written as strings, conditions
 * naming unknown parameters (dropped, so the parameter is always active), placeholders in the kernel
 * command line that no parameter defines, a `results` block nested under `benchtool`.
 */
import type { Phase, Value } from "../../lib/datasets/types";
import { WayfinderError } from "../../lib/errors";
import { ConditionSyntaxError, conditionNames, parseCondition, type Condition } from "../../lib/space/condition";
import type { Parameter } from "../../lib/space/parameter";
import { createSpace, type Space } from "../../lib/space/space";
import { JobSource, type JsonPath } from "./job-source";

export interface Quirk {
  line: number;
  column: number;
  parameter?: string;
  message: string;
}

export interface WayfinderJobImport {
  file: string;
  name: string;
  parameters: Parameter[];
  space: Space;
  /** Names of the results the job's tests report (candidate objectives; the file gives no direction). */
  results: { name: string; type?: string }[];
  quirks: Quirk[];
  /** The original build and test sections, as written, for a harness that wants to reuse them. */
  build?: unknown;
  test?: unknown;
}

export interface WayfinderJobOptions {
  /** Hold `min/max + only: [default]` integers at their default instead of reading them as ranges. */
  onlyAsFixed?: boolean;
  /** Treat every quirk as an error. */
  strict?: boolean;
}

interface RawParam {
  name?: unknown;
  type?: unknown;
  only?: unknown[];
  min?: unknown;
  max?: unknown;
  step?: unknown;
  step_mode?: unknown;
  default?: unknown;
  when?: unknown;
  if?: unknown;
  description?: unknown;
}

const ON_OFF: [string, string][] = [
  ["y", "n"],
  ["1", "0"],
  ["yes", "no"],
  ["on", "off"],
  ["true", "false"],
];

export function formatQuirk(file: string, q: Quirk): string {
  return `${file}:${q.line}:${q.column}: ${q.parameter ? q.parameter + ": " : ""}${q.message}`;
}

export function readWayfinderJob(file: string, options: WayfinderJobOptions = {}): WayfinderJobImport {
  return importWayfinderJob(JobSource.read(file), options);
}

export function importWayfinderJob(source: JobSource, options: WayfinderJobOptions = {}): WayfinderJobImport {
  const raw = source.value() as { name?: unknown; params?: unknown; build?: unknown; test?: unknown } | null;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) source.fail([], "expected a mapping with a `params` list (an original Wayfinder job file)");
  if (!Array.isArray(raw.params) || raw.params.length === 0) source.fail(["params"], "expected a non-empty `params` list", { key: true });
  const quirks: Quirk[] = [];
  const quirk = (path: JsonPath, parameter: string | undefined, message: string, key = false) => quirks.push({ ...source.locate(path, key), parameter, message });

  const tests = Array.isArray(raw.test) ? raw.test : raw.test ? [raw.test] : [];
  const kernelArgs = tests.map((t) => String((t as { kernel?: { args?: unknown } })?.kernel?.args ?? "")).join(" ");
  const bootNames = new Set<string>();
  const argPlaceholders = new Map<string, number>();
  for (const m of kernelArgs.matchAll(/([A-Za-z0-9_.\-]+)="?\$\{([A-Za-z0-9_]+)\}/g)) {
    if (m[1] !== m[2]) bootNames.add(m[2]);
  }
  for (const m of kernelArgs.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)) argPlaceholders.set(m[1], (argPlaceholders.get(m[1]) ?? 0) + 1);

  const parameters: Parameter[] = [];
  const conditions: { index: number; text: string; condition: Condition }[] = [];
  const names = new Set<string>();
  let heldRanges = 0;
  (raw.params as RawParam[]).forEach((p, i) => {
    const at = (field?: string): JsonPath => (field ? ["params", i, field] : ["params", i]);
    if (!p || typeof p !== "object" || typeof p.name !== "string" || !p.name) source.fail(at("name"), "every parameter needs a `name`");
    const name = p.name;
    if (names.has(name)) source.fail(at("name"), `parameter ${name} is defined twice`);
    names.add(name);
    const isInt = p.type === "int" || p.type === "integer";
    if (!isInt && p.type !== "str" && p.type !== "string") source.fail(at("type"), `type ${JSON.stringify(p.type)} is not valid; expected int, integer, str or string`);
    let phase: Phase = "compile";
    if (p.when === "test") phase = bootNames.has(name) ? "boot" : "runtime";
    else if (p.when !== undefined && p.when !== "build") {
      quirk(at("when"), name, `when: ${JSON.stringify(p.when)} is neither build nor test; read as build`);
    }
    const toInt = (v: unknown, field: string): number | undefined => {
      if (v === undefined) return undefined;
      if (typeof v === "number" && Number.isSafeInteger(v)) return v;
      if (typeof v === "string" && /^-?\d+$/.test(v.trim()) && Number.isSafeInteger(Number(v))) {
        quirk(at(field), name, `integer written as the string ${JSON.stringify(v)}; read as ${Number(v)}`);
        return Number(v);
      }
      source.fail(at(field), `${JSON.stringify(v)} is not an integer (within +-2^53)`);
    };
    const description = typeof p.description === "string" ? p.description.trim() : undefined;
    const base = { name, phase, ...(description ? { description } : {}) };
    let only: Value[] | undefined;
    if (p.only !== undefined) {
      if (!Array.isArray(p.only) || p.only.length === 0) source.fail(at("only"), "`only` must be a non-empty list");
      only = [];
      const seen = new Set<string>();
      p.only.forEach((v, j) => {
        const value: Value = isInt ? toIntQuiet(v) ?? (String(v) as Value) : String(v);
        if (isInt && typeof v === "string") quirk(["params", i, "only", j], name, `integer written as the string ${JSON.stringify(v)}; read as ${value}`);
        if (seen.has(String(value))) {
          quirk(["params", i, "only", j], name, `value ${JSON.stringify(value)} is listed twice in only; kept once`);
          return;
        }
        seen.add(String(value));
        only!.push(value);
      });
    }
    const min = isInt ? toInt(p.min, "min") : undefined;
    const max = isInt ? toInt(p.max, "max") : undefined;
    let def: Value | undefined = p.default === undefined ? undefined : isInt ? toInt(p.default, "default") : String(p.default);
    let param: Parameter;
    if (isInt && min !== undefined && max !== undefined && (!only || (only.length === 1 && !options.onlyAsFixed))) {
      if (min > max) source.fail(at("min"), `min ${min} is greater than max ${max}`);
      if (only) {
        heldRanges++;
        if (def === undefined) def = only[0];
        else if (String(def) !== String(only[0])) {
          quirk(at("default"), name, `default ${def} differs from its only value ${only[0]}; using ${only[0]} as the default`);
          def = only[0];
        }
      }
      if (def !== undefined && (Number(def) < min || Number(def) > max)) {
        quirk(at("default"), name, `default ${def} is outside [${min}, ${max}]; default dropped (min is used)`);
        def = undefined;
      }
      const step = p.step === undefined ? undefined : toInt(p.step, "step");
      const power = p.step_mode === "power";
      if (p.step_mode !== undefined && p.step_mode !== "power" && p.step_mode !== "increment") {
        source.fail(at("step_mode"), `step_mode ${JSON.stringify(p.step_mode)} is not valid; expected increment or power`);
      }
      param = { ...base, type: "integer", min, max, ...(power ? { power: step ?? 2 } : step && step > 1 ? { step } : {}), ...(def !== undefined ? { default: def } : {}) };
      if (power && def !== undefined && !isPowerStep(min, max, step ?? 2, Number(def))) {
        quirk(at("default"), name, `default ${def} is not on the power steps from ${min}; default dropped`);
        delete param.default;
      }
    } else if (only) {
      if (def !== undefined && !only.some((v) => String(v) === String(def))) {
        quirk(at("default"), name, `default ${JSON.stringify(def)} is not among only [${only.join(", ")}]; default dropped (the first value is used)`);
        def = undefined;
      }
      const pair = only.length === 2 ? ON_OFF.find(([a, b]) => only!.map(String).sort().join() === [a, b].sort().join()) : undefined;
      if (only.length === 1) param = { ...base, type: "fixed", value: only[0] };
      else if (pair && !isInt) param = { ...base, type: "boolean", values: pair, ...(def !== undefined ? { default: String(def) } : {}) };
      else param = { ...base, type: "choice", values: only, ...(def !== undefined ? { default: def } : {}) };
    } else if (def !== undefined) {
      param = { ...base, type: "fixed", value: def };
    } else {
      source.fail(at(), `parameter ${name} has neither only, min/max nor default: no value can be chosen`);
    }
    if (p.if !== undefined) {
      const text = String(p.if);
      try {
        conditions.push({ index: parameters.length, text, condition: parseCondition(text) });
      } catch (e) {
        if (!(e instanceof ConditionSyntaxError)) throw e;
        source.fail(at("if"), `condition ${JSON.stringify(text)} is not valid: ${e.message}`, { offset: source.valueStart(at("if")) + e.offset });
      }
    }
    parameters.push(param);
  });

  for (const c of conditions) {
    const p = parameters[c.index];
    const unknown = conditionNames(c.condition).filter((n) => !names.has(n));
    const path: JsonPath = ["params", (raw.params as RawParam[]).findIndex((r) => r.name === p.name), "if"];
    if (unknown.length) {
      if (options.strict) source.fail(path, `condition ${JSON.stringify(c.text)} names ${unknown.join(", ")}, which is not a parameter of this job`);
      quirk(path, p.name, `condition ${JSON.stringify(c.text)} names ${unknown.join(", ")}, which is not a parameter of this job; condition dropped (always active)`);
    } else p.condition = c.condition;
  }
  if (heldRanges > 0) {
    quirks.push({
      ...source.locate(["params"], true),
      message: `${heldRanges} integer parameters give min/max plus only: [default]; read as ranges [min, max] with that default, as the paper's datasets drew them (onlyAsFixed holds them at the default)`,
    });
  }
  const defined = new Set([...names]);
  const argsIndex = tests.findIndex((t) => (t as { kernel?: { args?: unknown } })?.kernel?.args !== undefined);
  const argsPath: JsonPath = Array.isArray(raw.test) ? ["test", argsIndex, "kernel", "args"] : ["test", "kernel", "args"];
  for (const [ph, count] of argPlaceholders) {
    if (ph.startsWith("WAYFINDER_")) continue;
    if (!defined.has(ph)) quirk(argsPath, undefined, `the kernel command line uses \${${ph}}, which no parameter defines (it will be empty)`);
    else if (count > 1) quirk(argsPath, undefined, `the kernel command line uses \${${ph}} ${count} times`);
  }
  const results: WayfinderJobImport["results"] = [];
  tests.forEach((t, i) => {
    const tt = t as { results?: unknown; benchtool?: { results?: unknown } };
    const list = tt?.results ?? tt?.benchtool?.results;
    if (!tt?.results && tt?.benchtool?.results) {
      const path: JsonPath = Array.isArray(raw.test) ? ["test", i, "benchtool", "results"] : ["test", "benchtool", "results"];
      quirk(path, undefined, "results is nested under benchtool (indentation); read as the test's results", true);
    }
    if (Array.isArray(list)) for (const r of list) if (r && typeof r === "object" && "name" in r) results.push({ name: String(r.name), type: "type" in r ? String(r.type) : undefined });
  });

  if (options.strict && quirks.length) throw new WayfinderError(quirks.map((q) => formatQuirk(source.file, q)).join("\n"));
  let space: Space;
  try {
    space = createSpace(parameters);
  } catch (e) {
    if (e instanceof WayfinderError && Array.isArray(e.details.path)) {
      const path = e.details.path as JsonPath;
      // our "parameters[i].field" is the file's "params[i].field"; our names for fields differ a little
      const field = ({ condition: "if", values: "only" } as Record<string, string>)[String(path[2])] ?? path[2];
      throw source.error(path[0] === "parameters" ? ["params", path[1], field] : path, e.message);
    }
    throw e;
  }
  return {
    file: source.file,
    name: typeof raw.name === "string" ? raw.name : source.file.split("/").slice(-2, -1)[0] ?? "job",
    parameters,
    space,
    results,
    quirks,
    build: raw.build,
    test: raw.test,
  };
}

function toIntQuiet(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim()) && Number.isSafeInteger(Number(v))) return Number(v);
  return undefined;
}

function isPowerStep(min: number, max: number, base: number, v: number): boolean {
  if (v === min) return true;
  for (let x = Math.max(min, 1); x <= max; x *= base) if (x === v) return true;
  return false;
}
