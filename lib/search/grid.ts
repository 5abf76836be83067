/**
 * Grid search: the space's points in the systematic order of GridIterator (lib/space/grid.ts): defaults
 * first, then an odometer over the parameters in dependency order, last parameter turning fastest;
 * integer ranges reduced to `levels` values. In replay it visits the pool's distinct configurations in
 * the same order: sorted by the position of each parameter's value in that parameter's grid (default
 * first, then domain order; an inactive parameter sorts before every value), first parameter first.
 */
import type { Value } from "../datasets/types";
import { GridIterator, DEFAULT_GRID_LEVELS } from "../space/grid";
import { defaultValue, domainValues } from "../space/parameter";
import type { Space } from "../space/space";
import { Candidates } from "./candidates";
import type { Config, Observation, Searcher, SearcherEntry, SearcherOptions } from "./searcher";
import { numberSetting } from "./settings";

export class GridSearcher implements Searcher {
  readonly name = "grid";
  readonly direction;
  private readonly candidates: Candidates;
  private readonly iterator: GridIterator | null;
  private readonly poolOrder: number[] | null;
  private cursor = 0;

  constructor(options: SearcherOptions) {
    this.direction = options.direction;
    const levels = numberSetting("grid", options, "levels", DEFAULT_GRID_LEVELS, { min: 2, integer: true });
    this.candidates = new Candidates(options.space, options.pool);
    if (this.candidates.pool) {
      this.iterator = null;
      this.poolOrder = poolGridOrder(options.space, this.candidates.pool);
    } else {
      this.iterator = new GridIterator(options.space, levels);
      this.poolOrder = null;
    }
  }

  async ask(k = 1): Promise<Config[]> {
    const out: Config[] = [];
    while (out.length < k) {
      let c: Config | null = null;
      if (this.poolOrder) {
        while (this.cursor < this.poolOrder.length && !c) {
          const candidate = this.candidates.pool![this.poolOrder[this.cursor++]];
          if (!this.candidates.isTaken(candidate)) c = candidate;
        }
      } else {
        for (c = this.iterator!.next(); c && this.candidates.isTaken(c); c = this.iterator!.next());
      }
      if (!c) break;
      this.candidates.take(c);
      out.push(c);
    }
    return out;
  }

  async tell(observations: Observation[]): Promise<void> {
    for (const o of observations) this.candidates.take(o.config);
  }
}

/** Pool indexes in grid order (see the file comment). */
export function poolGridOrder(space: Space, pool: readonly Config[]): number[] {
  const ranks = space.order.map((p) => {
    const values: Value[] = domainValues(p) ?? [];
    const def = String(defaultValue(p));
    const m = new Map<string, number>([[def, 0]]);
    for (const v of values) if (!m.has(String(v))) m.set(String(v), m.size);
    return m;
  });
  const rank = (c: Config, i: number): number => {
    const p = space.order[i];
    if (!(p.name in c)) return -1;
    const r = ranks[i].get(String(c[p.name]));
    // integer ranges too large to list: order by value after the default
    return r ?? (String(c[p.name]) === String(defaultValue(p)) ? 0 : 1 + Number(c[p.name]));
  };
  const keys = pool.map((c) => space.order.map((_, i) => rank(c, i)));
  return pool
    .map((_, i) => i)
    .sort((a, b) => {
      const ka = keys[a];
      const kb = keys[b];
      for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
      return a - b;
    });
}

export const gridSearcher: SearcherEntry = {
  name: "grid",
  summary: "systematic grid: defaults first, then an odometer over the parameters (replay: the pool in grid order)",
  settings: { levels: `values per integer range (default ${DEFAULT_GRID_LEVELS})` },
  create: (options) => new GridSearcher(options),
};
