/**
 * A "searcher" that proposes a fixed list of configurations in order: how a result is reproduced
 * (`wayfinder run <job> --configs best.json --repeats 5` re-measures the default and the configurations
 * of an earlier study). Each configuration is completed and checked against the job's space first.
 */
import type { Direction } from "../../lib/datasets/types";
import { WayfinderError, quote } from "../../lib/errors";
import type { Config, Observation, Searcher } from "../../lib/search/searcher";
import type { Space } from "../../lib/space/space";
import { configKey } from "../store/config-key";

export const LIST_SEARCHER = "list";

export class ListSearcher implements Searcher {
  readonly name = LIST_SEARCHER;
  private readonly seen = new Set<string>();
  private next = 0;

  constructor(
    readonly direction: Direction,
    private readonly configs: readonly Config[],
  ) {}

  async ask(k = 1): Promise<Config[]> {
    const out: Config[] = [];
    while (out.length < k && this.next < this.configs.length) {
      const c = this.configs[this.next++];
      if (this.seen.has(configKey(c))) continue;
      this.seen.add(configKey(c));
      out.push(c);
    }
    return out;
  }

  async tell(observations: Observation[]): Promise<void> {
    for (const o of observations) this.seen.add(configKey(o.config));
  }
}

/** Parse a configurations file: one configuration object, or a list of them; each checked against the space. */
export function parseConfigList(text: string, file: string, space: Space): Config[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new WayfinderError(`${file}: not valid JSON (${(err as Error).message}); expected a configuration object or a list of them`);
  }
  const list = Array.isArray(value) ? value : [value];
  return list.map((c, i) => {
    if (typeof c !== "object" || c === null || Array.isArray(c)) {
      throw new WayfinderError(`${file}: entry ${i} is ${quote(c)}; expected an object of parameter values`);
    }
    let full: Config;
    try {
      full = space.complete(c as Config);
    } catch (err) {
      throw new WayfinderError(`${file}: entry ${i}: ${(err as Error).message}`);
    }
    const problems = space.check(full);
    if (problems.length) throw new WayfinderError(`${file}: entry ${i}: ${problems.join("; ")}`);
    return full;
  });
}
