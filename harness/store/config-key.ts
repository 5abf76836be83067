/**
 * A canonical text for a configuration (keys sorted, values JSON-typed) so two configurations that
 * differ only in key order are recognised as the same evaluation.
 */
import type { Config } from "../../lib/search/searcher";

export function configKey(config: Config): string {
  const keys = Object.keys(config).sort();
  return JSON.stringify(keys.map((k) => [k, config[k]]));
}
