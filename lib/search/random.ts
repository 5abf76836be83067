/**
 * Random search: uniform, never repeating. In a live space it draws unique random points (exactly
 * uniform over what is left when the space is small enough to enumerate); in replay it walks a seeded
 * shuffle of the pool, which is how the paper's random baseline was computed.
 */
import { Rng } from "../random";
import { UniqueSampler } from "../space/sample";
import { Candidates } from "./candidates";
import type { Config, Observation, Searcher, SearcherEntry, SearcherOptions } from "./searcher";

export class RandomSearcher implements Searcher {
  readonly name = "random";
  readonly direction;
  private readonly candidates: Candidates;
  private readonly order: number[] | null;
  private cursor = 0;
  private readonly sampler: UniqueSampler | null;

  constructor(options: SearcherOptions) {
    this.direction = options.direction;
    const rng = new Rng(options.seed);
    this.candidates = new Candidates(options.space, options.pool);
    if (this.candidates.pool) {
      this.order = rng.shuffle(this.candidates.pool.map((_, i) => i));
      this.sampler = null;
    } else {
      this.order = null;
      this.sampler = new UniqueSampler(options.space, rng);
    }
  }

  async ask(k = 1): Promise<Config[]> {
    const out: Config[] = [];
    while (out.length < k) {
      let c: Config | null = null;
      if (this.order) {
        while (this.cursor < this.order.length && !c) {
          const candidate = this.candidates.pool![this.order[this.cursor++]];
          if (!this.candidates.isTaken(candidate)) c = candidate;
        }
      } else {
        c = this.sampler!.next();
        while (c && this.candidates.isTaken(c)) c = this.sampler!.next();
      }
      if (!c) break;
      this.candidates.take(c);
      out.push(c);
    }
    return out;
  }

  async tell(observations: Observation[]): Promise<void> {
    for (const o of observations) {
      this.candidates.take(o.config);
      this.sampler?.exclude(o.config);
    }
  }
}

export const randomSearcher: SearcherEntry = {
  name: "random",
  summary: "uniform random search without repetition (replay: a seeded shuffle of the pool)",
  settings: {},
  create: (options) => new RandomSearcher(options),
};
