/**
 * The searchers by name. Built-in ones (random, grid, bayes) are always here; other folders register
 * theirs with registerSearcher. Folders listed in PLUGINS are imported on first use of their name, so
 * `createSearcher("deeptune", ...)` works without the caller importing lib/deeptune itself.
 */
import { WayfinderError, quote } from "../errors";
import { suggest } from "../space/space";
import { bayesSearcher } from "./bayes";
import { gridSearcher } from "./grid";
import { randomSearcher } from "./random";
import type { Searcher, SearcherEntry, SearcherOptions } from "./searcher";

const entries = new Map<string, SearcherEntry>();

/** name -> module (relative to this file) whose import registers that searcher. */
const PLUGINS: Record<string, string> = { deeptune: "../deeptune/index" };

export function registerSearcher(entry: SearcherEntry): void {
  if (!/^[a-z][a-z0-9-]*$/.test(entry.name)) throw new WayfinderError(`searcher name ${quote(entry.name)} must be lower-case letters, digits and dashes`);
  entries.set(entry.name, entry);
}

for (const e of [randomSearcher, gridSearcher, bayesSearcher]) registerSearcher(e);

async function loadPlugin(name: string): Promise<void> {
  const spec = PLUGINS[name];
  if (!spec || entries.has(name)) return;
  try {
    await import(/* plugin */ spec);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return;
    throw err;
  }
}

/** Names of every searcher that can be created (registered plus known plugins). */
export function searcherNames(): string[] {
  return [...new Set([...entries.keys(), ...Object.keys(PLUGINS)])].sort();
}

/** The registry entry for `name`, importing its plugin if needed; a clear error for an unknown name. */
export async function getSearcher(name: string): Promise<SearcherEntry> {
  await loadPlugin(name);
  const entry = entries.get(name);
  if (!entry) {
    const known = searcherNames();
    const why = name in PLUGINS ? ` (its module ${PLUGINS[name]} is not available or did not register it)` : "";
    throw new WayfinderError(`unknown searcher ${quote(name)}${why}${suggest(name, known)}; available: ${[...entries.keys()].sort().join(", ")}`);
  }
  return entry;
}

/** Create a searcher by name; settings it does not understand are an error naming the valid ones. */
export async function createSearcher(name: string, options: SearcherOptions): Promise<Searcher> {
  const entry = await getSearcher(name);
  for (const key of Object.keys(options.settings ?? {})) {
    if (!(key in entry.settings)) {
      const valid = Object.keys(entry.settings);
      throw new WayfinderError(`searcher ${name} has no setting ${quote(key)}; valid: ${valid.length ? valid.join(", ") : "none"}`);
    }
  }
  if (!Number.isInteger(options.seed)) throw new WayfinderError(`seed must be an integer, got ${quote(options.seed)}`);
  if (options.direction !== "max" && options.direction !== "min") throw new WayfinderError(`direction must be "max" or "min", got ${quote(options.direction)}`);
  if (options.pool && options.pool.length === 0) throw new WayfinderError(`searcher ${name}: the replay pool is empty`);
  return entry.create(options);
}
