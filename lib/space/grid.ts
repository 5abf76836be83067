/**
 * Systematic enumeration of a space, in a documented order: parameters in dependency order (the order
 * they are defined, moved only when a condition reads a parameter defined later), each over its grid
 * values, like an odometer whose first parameter turns slowest and last parameter fastest. The first
 * point holds every parameter at its default; each parameter's grid starts at its default and then runs
 * through the rest of its values in domain order. A parameter whose condition is false is absent and
 * does not turn, so no point repeats. Integer ranges with more than `levels` values are reduced to
 * `levels` values spread evenly (geometrically for log scales), always including min, max and default.
 */
import type { Value } from "../datasets/types";
import type { Config } from "../search/searcher";
import { defaultValue, domainSize, domainValues, type Parameter } from "./parameter";
import type { Space } from "./space";

export const DEFAULT_GRID_LEVELS = 5;

export function gridValues(p: Parameter, levels: number = DEFAULT_GRID_LEVELS): Value[] {
  const def = defaultValue(p);
  let values: Value[];
  if (p.type === "integer" && domainSize(p) > levels && !p.power) {
    const step = p.step ?? 1;
    const picked = new Set<number>([p.min, p.max]);
    for (let i = 1; i < levels - 1; i++) {
      const f = i / (levels - 1);
      const x = p.scale === "log" ? Math.exp(Math.log(p.min + 1) + f * (Math.log(p.max + 1) - Math.log(p.min + 1))) - 1 : p.min + f * (p.max - p.min);
      picked.add(p.min + Math.round((x - p.min) / step) * step);
    }
    values = [...picked].sort((a, b) => a - b);
  } else {
    values = domainValues(p)!;
    if (values.length > levels && p.type === "integer") {
      // power steps: keep `levels` of them, evenly spaced by index
      const idx = new Set<number>();
      for (let i = 0; i < levels; i++) idx.add(Math.round((i * (values.length - 1)) / (levels - 1)));
      values = [...idx].map((i) => values[i]);
    }
  }
  const rest = values.filter((v) => String(v) !== String(def));
  return [def, ...rest];
}

/** Number of points on the grid when no condition prunes anything (an upper bound with conditions). */
export function gridSize(space: Space, levels: number = DEFAULT_GRID_LEVELS): number {
  let n = 1;
  for (const p of space.variedParameters()) {
    n *= p.type === "integer" && levels === Infinity ? domainSize(p) : gridValues(p, levels === Infinity ? Number.MAX_SAFE_INTEGER : levels).length;
    if (n > Number.MAX_SAFE_INTEGER) return Infinity;
  }
  return n;
}

export class GridIterator implements Iterable<Config> {
  private readonly params: Parameter[];
  private readonly grids: (Value[] | null)[];
  private readonly index: number[];
  private done = false;

  /** `levels` = Infinity enumerates every value (only sensible for small spaces). */
  constructor(
    readonly space: Space,
    levels: number = DEFAULT_GRID_LEVELS,
  ) {
    this.params = space.order.slice();
    this.grids = this.params.map((p) => {
      const pin = space.pinnedValue(p.name);
      if (pin !== undefined) return [pin];
      const all = levels === Infinity ? domainValues(p) : null;
      return all ? [defaultValue(p), ...all.filter((v) => String(v) !== String(defaultValue(p)))] : gridValues(p, levels === Infinity ? DEFAULT_GRID_LEVELS : levels);
    });
    this.index = this.params.map(() => 0);
  }

  private current(): { config: Config; active: boolean[] } {
    const config: Config = {};
    const active = this.params.map((p, i) => {
      if (!this.space.isActive(p, config)) return false;
      config[p.name] = this.grids[i]![this.index[i]];
      return true;
    });
    return { config, active };
  }

  next(): Config | null {
    if (this.done) return null;
    const { config, active } = this.current();
    // advance the odometer: turn the last active wheel that has room, reset the wheels after it
    let i = this.params.length - 1;
    for (; i >= 0; i--) {
      if (active[i] && this.index[i] < this.grids[i]!.length - 1) break;
    }
    if (i < 0) this.done = true;
    else {
      this.index[i]++;
      for (let j = i + 1; j < this.params.length; j++) this.index[j] = 0;
    }
    return config;
  }

  *[Symbol.iterator](): Iterator<Config> {
    for (let c = this.next(); c; c = this.next()) yield c;
  }
}
