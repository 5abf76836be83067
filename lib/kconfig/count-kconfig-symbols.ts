/** Symbols by type, each symbol once however often it is defined (Table 1 of the paper). */
import type { KconfigCounts, KconfigTree } from "./types";

export function countKconfigSymbols(tree: KconfigTree): KconfigCounts {
  const counts: KconfigCounts = { bool: 0, tristate: 0, string: 0, hex: 0, int: 0, total: 0, prompted: 0, typeless: 0 };
  for (const sym of tree.symbols.values()) {
    if (!sym.type) {
      counts.typeless++;
      continue;
    }
    counts[sym.type]++;
    counts.total++;
    if (sym.definitions.some((d) => d.prompt)) counts.prompted++;
  }
  return counts;
}
