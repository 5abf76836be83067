/**
 * Spearman rank correlation: the Pearson correlation of the ranks, with tied values sharing their mean
 * rank (as scipy.stats.spearmanr does).
 */
import { fail } from "../errors";

/** Ranks 1..n, ties given their average rank. */
export function ranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]] = r;
    i = j + 1;
  }
  return out;
}

export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) fail(`spearman: the two lists have ${a.length} and ${b.length} values; they must be paired`);
  if (a.length < 2) fail(`spearman: needs at least 2 pairs, got ${a.length}`);
  for (let i = 0; i < a.length; i++)
    if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) fail(`spearman: pair ${i} holds ${a[i]}, ${b[i]}; values must be finite`);
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const ma = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i] - ma) * (rb[i] - ma);
    saa += (ra[i] - ma) ** 2;
    sbb += (rb[i] - ma) ** 2;
  }
  if (saa === 0 || sbb === 0) fail("spearman: one of the lists is constant; the correlation is undefined");
  return sab / Math.sqrt(saa * sbb);
}
