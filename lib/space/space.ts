/**
 * A configuration space: parameters, the conditions between them, and the user's constraints (values
 * pinned by hand, e.g. keep ASLR on; which phases may vary, e.g. runtime only when the kernel cannot be
 * rebuilt). Built with createSpace, which rejects an inconsistent space up front with a message naming
 * the parameter: a condition on an unknown parameter, a cycle of conditions, a pinned value or default
 * outside the domain. (The original Wayfinder hung on such input at run time.)
 */
import type { Phase, Value } from "../datasets/types";
import type { Config } from "../search/searcher";
import { WayfinderError, quote } from "../errors";
import { conditionNames, evaluateCondition, formatCondition } from "./condition";
import { configKey } from "./config-key";
import { defaultValue, describeDomain, domainSize, normalizeValue, type Parameter } from "./parameter";

export const PHASES: readonly Phase[] = ["compile", "boot", "runtime", "application"];

export interface SpaceOptions {
  /** Values pinned by the user; they win over everything and are never varied. */
  fixed?: Record<string, Value>;
  /** Phases whose parameters may vary (default: all). The others keep their default value. */
  vary?: Phase[];
}

/** Where a problem sits in the space definition, so a job-file reader can map it to a line and column. */
export type SpacePath = (string | number)[];

function problem(message: string, path: SpacePath): never {
  throw new WayfinderError(message, { path });
}

export class Space {
  readonly parameters: readonly Parameter[];
  readonly vary: readonly Phase[];
  /** User-pinned values, normalised to each parameter's domain. */
  readonly fixed: Readonly<Config>;
  /** Parameters ordered so that every condition only reads parameters listed before it. */
  readonly order: readonly Parameter[];
  private readonly byName: Map<string, Parameter>;
  private readonly pinned: Map<string, Value>;
  private readonly keys = new WeakMap<Config, string>();
  private readonly sortedNames: string[];

  constructor(parameters: readonly Parameter[], options: SpaceOptions = {}) {
    this.parameters = parameters;
    this.byName = new Map();
    parameters.forEach((p, i) => {
      if (typeof p.name !== "string" || !p.name) problem(`parameter #${i + 1} has no name`, ["parameters", i, "name"]);
      if (this.byName.has(p.name)) problem(`parameter ${p.name} is defined twice (parameter #${i + 1})`, ["parameters", i, "name"]);
      this.byName.set(p.name, p);
    });
    parameters.forEach((p, i) => checkParameter(p, i));
    this.vary = options.vary ?? PHASES.slice();
    for (const ph of this.vary) {
      if (!PHASES.includes(ph)) problem(`unknown phase ${quote(ph)} in vary; valid phases: ${PHASES.join(", ")}`, ["vary"]);
    }
    parameters.forEach((p, i) => {
      for (const n of p.condition ? conditionNames(p.condition) : []) {
        if (!this.byName.has(n)) {
          problem(
            `parameter ${p.name}: its condition "${formatCondition(p.condition!)}" names ${quote(n)}, which is not a parameter of this space${suggest(n, [...this.byName.keys()])}`,
            ["parameters", i, "condition"],
          );
        }
        if (n === p.name) problem(`parameter ${p.name}: its condition refers to itself`, ["parameters", i, "condition"]);
      }
    });
    this.order = topologicalOrder(parameters, this.byName);
    this.sortedNames = parameters.map((p) => p.name).sort();

    const fixed: Config = {};
    for (const [name, raw] of Object.entries(options.fixed ?? {})) {
      const p = this.byName.get(name);
      if (!p) problem(`fixed value for ${quote(name)}, which is not a parameter of this space${suggest(name, [...this.byName.keys()])}`, ["fixed", name]);
      const v = normalizeValue(p, raw);
      if (v === undefined) problem(`fixed value ${quote(raw)} for ${name} is outside its domain; valid: ${describeDomain(p)}`, ["fixed", name]);
      fixed[name] = v;
    }
    this.fixed = fixed;
    this.pinned = new Map(Object.entries(fixed));
    parameters.forEach((p, i) => {
      if (this.pinned.has(p.name)) return;
      if (p.type === "fixed") this.pinned.set(p.name, p.value);
      else if (!this.vary.includes(p.phase)) this.pinned.set(p.name, defaultValue(p));
      else if (domainSize(p) === 1) this.pinned.set(p.name, defaultValue(p));
      void i;
    });
  }

  get size(): number {
    return this.parameters.length;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): Parameter {
    const p = this.byName.get(name);
    if (!p) throw new WayfinderError(`unknown parameter ${quote(name)}${suggest(name, [...this.byName.keys()])}`);
    return p;
  }

  /** The value a parameter is held at (user pin, phase not varied, single-valued domain), if any. */
  pinnedValue(name: string): Value | undefined {
    return this.pinned.get(name);
  }

  isVaried(name: string): boolean {
    return this.byName.has(name) && !this.pinned.has(name);
  }

  /** Parameters a searcher may change, in dependency order. */
  variedParameters(): Parameter[] {
    return this.order.filter((p) => !this.pinned.has(p.name));
  }

  isActive(p: Parameter, config: Config): boolean {
    return !p.condition || evaluateCondition(p.condition, config);
  }

  /**
   * The full configuration implied by `partial`: pinned values win, then the given values (normalised),
   * then defaults; parameters whose condition is false are dropped. Unknown names and out-of-domain
   * values are errors.
   */
  complete(partial: Config): Config {
    for (const [name, v] of Object.entries(partial)) {
      const p = this.byName.get(name);
      if (!p) throw new WayfinderError(`configuration names ${quote(name)}, which is not a parameter of this space`);
      if (normalizeValue(p, v) === undefined) {
        throw new WayfinderError(`value ${quote(v)} for ${name} is outside its domain; valid: ${describeDomain(p)}`);
      }
    }
    const out: Config = {};
    for (const p of this.order) {
      if (!this.isActive(p, out)) continue;
      const pin = this.pinned.get(p.name);
      out[p.name] = pin ?? (p.name in partial ? normalizeValue(p, partial[p.name])! : defaultValue(p));
    }
    return out;
  }

  /** Problems with a configuration (empty when it is a valid, complete point of this space). */
  check(config: Config): string[] {
    const problems: string[] = [];
    for (const name of Object.keys(config)) if (!this.byName.has(name)) problems.push(`unknown parameter ${name}`);
    const seen: Config = {};
    for (const p of this.order) {
      const active = this.isActive(p, seen);
      if (!active) {
        if (p.name in config) problems.push(`${p.name} is set but its condition ${formatCondition(p.condition!)} is false`);
        continue;
      }
      if (!(p.name in config)) {
        problems.push(`${p.name} is missing`);
        continue;
      }
      const v = normalizeValue(p, config[p.name]);
      if (v === undefined) problems.push(`${p.name} = ${quote(config[p.name])} is outside ${describeDomain(p)}`);
      else {
        const pin = this.pinned.get(p.name);
        if (pin !== undefined && String(pin) !== String(v)) problems.push(`${p.name} = ${quote(v)} but it is pinned to ${quote(pin)}`);
        seen[p.name] = v;
      }
    }
    return problems;
  }

  /**
   * Canonical identity of a configuration (order- and type-insensitive): two configurations have the
   * same key in this space iff configKey would give them the same key. Cached per config object:
   * configurations are values, never mutated once proposed or told.
   */
  key(config: Config): string {
    let k = this.keys.get(config);
    if (k === undefined) {
      k = this.computeKey(config);
      this.keys.set(config, k);
    }
    return k;
  }

  /**
   * The compact form names each parameter by its index in sortedNames instead of its name, and is
   * built with one join: searchers hold thousands of keys of 300-parameter configurations, and the
   * name-bearing, `+=`-built form (a tree of concatenated strings per key) took ~220 MB of heap at
   * 2000 history rows plus 2000 live candidates; this one takes a tenth of that.
   */
  private computeKey(config: Config): string {
    const parts: string[] = ["\u0003"];
    const names = this.sortedNames;
    for (let i = 0; i < names.length; i++) {
      const v = config[names[i]];
      if (v !== undefined) parts.push(`${i}\u0001${String(v)}`);
    }
    // names outside the space (only in invalid configurations): fall back to the generic form, which
    // never starts with \u0003, so the two forms cannot collide
    return parts.length - 1 === Object.keys(config).length ? parts.join("\u0002") : configKey(config);
  }

  defaultConfig(): Config {
    return this.complete({});
  }

  /** A new space with the same parameters and different constraints. */
  withOptions(options: SpaceOptions): Space {
    return new Space(this.parameters, { fixed: { ...this.fixed, ...options.fixed }, vary: options.vary ?? this.vary.slice() });
  }
}

export function createSpace(parameters: readonly Parameter[], options: SpaceOptions = {}): Space {
  return new Space(parameters, options);
}

function checkParameter(p: Parameter, i: number): void {
  const at = (field: string): SpacePath => ["parameters", i, field];
  if (!PHASES.includes(p.phase)) problem(`parameter ${p.name}: unknown phase ${quote(p.phase)}; valid: ${PHASES.join(", ")}`, at("phase"));
  if (p.type === "integer") {
    if (!Number.isSafeInteger(p.min) || !Number.isSafeInteger(p.max)) {
      problem(`parameter ${p.name}: min and max must be integers within +-2^53 (got ${p.min}, ${p.max}); write larger values as a choice list of strings`, at("min"));
    }
    if (p.min > p.max) problem(`parameter ${p.name}: min ${p.min} is greater than max ${p.max}`, at("min"));
    if (p.step !== undefined && !(Number.isSafeInteger(p.step) && p.step >= 1)) problem(`parameter ${p.name}: step must be a positive integer, got ${quote(p.step)}`, at("step"));
    if (p.power !== undefined && !(Number.isSafeInteger(p.power) && p.power >= 2)) problem(`parameter ${p.name}: power must be an integer >= 2, got ${quote(p.power)}`, at("power"));
    if (p.scale === "log" && p.min < 0) problem(`parameter ${p.name}: a log scale needs min >= 0, got ${p.min}`, at("scale"));
  }
  if (p.type === "choice") {
    if (!Array.isArray(p.values) || p.values.length === 0) problem(`parameter ${p.name}: a choice needs a non-empty list of values`, at("values"));
    const seen = new Set<string>();
    p.values.forEach((v, j) => {
      if (seen.has(String(v))) problem(`parameter ${p.name}: value ${quote(v)} is listed twice`, ["parameters", i, "values", j]);
      seen.add(String(v));
    });
  }
  if (p.type === "boolean" && p.values && (p.values.length !== 2 || p.values[0] === p.values[1])) {
    problem(`parameter ${p.name}: a boolean needs exactly two distinct values [on, off], got ${quote(JSON.stringify(p.values))}`, at("values"));
  }
  if (p.default !== undefined && p.type !== "fixed" && normalizeValue(p, p.default) === undefined) {
    problem(`parameter ${p.name}: default ${quote(p.default)} is outside its domain; valid: ${describeDomain(p)}`, at("default"));
  }
}

function topologicalOrder(parameters: readonly Parameter[], byName: Map<string, Parameter>): Parameter[] {
  const state = new Map<string, "visiting" | "done">();
  const out: Parameter[] = [];
  const visit = (p: Parameter, trail: string[]) => {
    const s = state.get(p.name);
    if (s === "done") return;
    if (s === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(p.name)), p.name].join(" -> ");
      problem(`conditions form a cycle: ${cycle}`, ["parameters", parameters.indexOf(p), "condition"]);
    }
    state.set(p.name, "visiting");
    for (const n of p.condition ? conditionNames(p.condition) : []) visit(byName.get(n)!, [...trail, p.name]);
    state.set(p.name, "done");
    out.push(p);
  };
  for (const p of parameters) visit(p, []);
  return out;
}

/** " (did you mean X?)" for a near miss, else "". */
export function suggest(name: string, candidates: string[]): string {
  const lower = name.toLowerCase();
  let best = "";
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best && bestD <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean ${best}?)` : "";
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Math.abs(a.length - b.length);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
