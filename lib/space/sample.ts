/**
 * Random points of a space: one value per active parameter, drawn uniformly from its domain (integer
 * ranges with `scale: "log"` uniformly in log space), pinned parameters held, conditions honoured.
 * UniqueSampler never returns the same configuration twice and says when the space is exhausted.
 */
import type { Value } from "../datasets/types";
import type { Rng } from "../random";
import type { Config } from "../search/searcher";
import { domainSize, domainValues, type Parameter } from "./parameter";
import type { Space } from "./space";
import { GridIterator, gridSize } from "./grid";

export function sampleValue(p: Parameter, rng: Rng): Value {
  if (p.type === "integer") {
    if (p.power) return rng.pick(domainValues(p)!);
    const step = p.step ?? 1;
    const n = domainSize(p);
    if (p.scale === "log") {
      // log(x + 1) so a range starting at 0 still works; then snap to the step grid.
      const lo = Math.log(p.min + 1);
      const hi = Math.log(p.max + 1);
      const x = Math.exp(lo + rng.next() * (hi - lo)) - 1;
      const k = Math.min(n - 1, Math.max(0, Math.round((x - p.min) / step)));
      return p.min + k * step;
    }
    return p.min + rng.int(0, n - 1) * step;
  }
  return rng.pick(domainValues(p)!);
}

export function sampleConfig(space: Space, rng: Rng): Config {
  const out: Config = {};
  for (const p of space.order) {
    if (!space.isActive(p, out)) continue;
    out[p.name] = space.pinnedValue(p.name) ?? sampleValue(p, rng);
  }
  return out;
}

/** Spaces with at most this many points are enumerated and shuffled, so exhaustion is exact. */
export const ENUMERATE_LIMIT = 50_000;
/** Draws tried before a large space is declared exhausted (it practically never is). */
const MAX_ATTEMPTS = 2_000;

export class UniqueSampler {
  private readonly seen = new Set<string>();
  private shuffled: Config[] | null = null;
  private cursor = 0;

  constructor(
    readonly space: Space,
    private readonly rng: Rng,
  ) {
    if (gridSize(space, Infinity) <= ENUMERATE_LIMIT) {
      const all: Config[] = [];
      for (const c of new GridIterator(space, Infinity)) all.push(c);
      this.shuffled = rng.shuffle(all);
    }
  }

  /** Mark a configuration as taken (evaluated elsewhere, or proposed). */
  exclude(config: Config): void {
    this.seen.add(this.space.key(config));
  }

  has(config: Config): boolean {
    return this.seen.has(this.space.key(config));
  }

  /** A configuration not returned or excluded before, or null when none is left. */
  next(): Config | null {
    if (this.shuffled) {
      while (this.cursor < this.shuffled.length) {
        const c = this.shuffled[this.cursor++];
        const k = this.space.key(c);
        if (!this.seen.has(k)) {
          this.seen.add(k);
          return c;
        }
      }
      return null;
    }
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const c = sampleConfig(this.space, this.rng);
      const k = this.space.key(c);
      if (!this.seen.has(k)) {
        this.seen.add(k);
        return c;
      }
    }
    return null;
  }
}
