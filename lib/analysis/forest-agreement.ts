/**
 * How closely two sets of random-forest importances agree, separating implementation differences from
 * the noise of a single forest. One fully grown forest's impurity importances of the many weak columns
 * of a permutation pool are mostly noise (which of several equally good features a deep node happens to
 * split on), so even scikit-learn against itself with another seed reaches a rank correlation of only
 * ~0.83 on the redis pool. Hence: the full matrix of single-forest correlations (each of our seeds
 * against each of theirs), the same within each side (the noise ceiling), and the correlation of the
 * seed-averaged importances, where averaging has removed most of that noise.
 */
import { fail } from "../errors";
import { spearman } from "./rank-correlation";

/** Importances of one forest by feature name. */
export type ImportanceMap = Map<string, number>;

/** Spearman between two importance maps over the same feature names (a mismatch is an error). */
export function importanceAgreement(a: ImportanceMap, b: ImportanceMap): number {
  const names = [...a.keys()].sort();
  const missing = names.filter((n) => !b.has(n));
  if (missing.length || b.size !== a.size)
    fail(`the two importance lists have different features (${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""}; ${a.size} vs ${b.size}); the encodings differ`);
  return spearman(names.map((n) => a.get(n)!), names.map((n) => b.get(n)!));
}

/** matrix[i][j] = Spearman of rows[i] against columns[j]. */
export function agreementMatrix(rows: ImportanceMap[], columns: ImportanceMap[]): number[][] {
  return rows.map((r) => columns.map((c) => importanceAgreement(r, c)));
}

/** Spearman of every pair i < j within one side, in the order (0,1), (0,2), ..., (1,2), ... */
export function pairwiseAgreement(runs: ImportanceMap[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs.length; i++) for (let j = i + 1; j < runs.length; j++) out.push(importanceAgreement(runs[i], runs[j]));
  return out;
}

/** Feature-wise mean of several forests' importances (all over the same features). */
export function meanImportances(runs: ImportanceMap[]): ImportanceMap {
  if (runs.length === 0) fail("meanImportances needs at least one run");
  const names = [...runs[0].keys()];
  for (const [k, r] of runs.entries())
    if (r.size !== names.length || names.some((n) => !r.has(n)))
      fail(`run ${k} has other features than run 0 (${r.size} vs ${names.length}); the encodings differ`);
  return new Map(names.map((n) => [n, runs.reduce((s, r) => s + r.get(n)!, 0) / runs.length]));
}

/** The most important feature (the first in key order among equal maxima). */
export function topFeature(m: ImportanceMap): string {
  let best = "";
  let v = -Infinity;
  for (const [k, x] of m) if (x > v) [best, v] = [k, x];
  return best;
}
