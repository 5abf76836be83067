/**
 * Cross-application similarity of parameter importance (the paper's Fig. 5): each application's importance
 * vector over the parameters common to all of them, and similarity(a, b) = 1 / (1 + ||a - b||), Euclidean.
 * 1 means identical importances; the paper reads high values as "transfer learning between these two
 * applications should help".
 */
import { basename } from "node:path";
import { fail, quote } from "../errors";
import type { ImportanceRow } from "./feature-importance";

export interface ImportanceVector {
  label: string;
  importances: ReadonlyArray<ImportanceRow>;
}

export interface SimilarityResult {
  labels: string[];
  /** matrix[i][j] = similarity of labels[i] and labels[j]; symmetric, 1 on the diagonal. */
  matrix: number[][];
  /** Parameters common to all vectors, the coordinates the distances were computed over (sorted). */
  features: string[];
  /** Per label, how many of its parameters were left out because another vector lacks them. */
  dropped: Record<string, number>;
}

/** A label from a file name: `redis` from `redis_feat_imp.csv` or `linux-redis_3_only_OS_single_core.xlsx`, else the name without its extension. */
export function labelFromFile(file: string): string {
  const name = basename(file);
  const imp = /^(.+?)_feat_imp\.csv$/i.exec(name);
  if (imp) return imp[1];
  const stem = name.replace(/\.[^.]+$/, "");
  // artifact pools are named <os>-<app>_<details> (linux-redis_3_only_OS_single_core): keep the app
  const pool = /^(?:rand_)?[a-z]+-([a-z0-9]+)_/i.exec(stem);
  return pool ? pool[1] : stem;
}

export function similarityMatrix(vectors: ReadonlyArray<ImportanceVector>): SimilarityResult {
  if (vectors.length < 2)
    fail(`similarity needs the importances of at least two applications, got ${vectors.length}${vectors.length ? ` (${quote(vectors[0].label)})` : ""}`);
  const seen = new Set<string>();
  const maps = vectors.map((v) => {
    if (seen.has(v.label)) fail(`two importance vectors are labelled ${quote(v.label)}; labels must be distinct`);
    seen.add(v.label);
    const m = new Map<string, number>();
    for (const { feature, importance } of v.importances) {
      if (!Number.isFinite(importance)) fail(`${v.label}: importance of ${quote(feature)} is ${quote(importance)}; expected a finite number`);
      if (m.has(feature)) fail(`${v.label}: feature ${quote(feature)} appears twice`);
      m.set(feature, importance);
    }
    return m;
  });
  const features = [...maps[0].keys()].filter((f) => maps.every((m) => m.has(f))).sort();
  if (features.length === 0)
    fail(`the applications ${vectors.map((v) => quote(v.label)).join(", ")} have no parameter in common; similarity is computed over common parameters`);
  const matrix = maps.map((a) =>
    maps.map((b) => {
      let d2 = 0;
      for (const f of features) d2 += (a.get(f)! - b.get(f)!) ** 2;
      return 1 / (1 + Math.sqrt(d2));
    }),
  );
  const dropped = Object.fromEntries(vectors.map((v, i) => [v.label, maps[i].size - features.length]));
  return { labels: vectors.map((v) => v.label), matrix, features, dropped };
}
