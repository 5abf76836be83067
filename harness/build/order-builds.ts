/**
 * Order a batch of compile-time configurations so that each build differs little from the previous
 * one: the warm build tree then recompiles only what the changed options touch. Greedy nearest
 * neighbour over the number of differing option values, starting from the configuration closest to
 * the tree's current one (by default the bare base); ties keep the input order, so the result is deterministic.
 */
export function orderForIncrementalBuilds<T extends Record<string, string>>(configs: T[], current: Record<string, string> = {}): T[] {
  const left = configs.map((c, i) => ({ c, i }));
  const out: T[] = [];
  let at: Record<string, string> = current;
  while (left.length > 0) {
    let best = 0;
    let bestD = Infinity;
    left.forEach(({ c }, k) => {
      const d = distance(at, c);
      if (d < bestD) { bestD = d; best = k; }
    });
    const [{ c }] = left.splice(best, 1);
    out.push(c);
    at = c;
  }
  return out;
}

/**
 * Options whose values differ. Each configuration is applied on the same base, so an option one side
 * does not mention is at its base value: it differs when the other side sets it.
 */
export function distance(a: Record<string, string>, b: Record<string, string>): number {
  let d = 0;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) if (a[k] !== b[k]) d++;
  return d;
}
