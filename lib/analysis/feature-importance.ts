/**
 * Which parameters matter: random-forest importance of a dataset's parameters for its objective (a
 * regression on the non-crashed rows, as the paper's Fig. 5) or for crashing (a classification on all
 * rows). Importances of a parameter's one-hot columns are summed into the parameter unless
 * `level: "column"` asks for the encoded columns themselves.
 */
import type { Dataset } from "../datasets/types";
import { fail } from "../errors";
import { featureMatrix, type CategoricalEncoding, type EncodedMatrix } from "./feature-matrix";
import { RandomForest, type ForestOptions } from "./random-forest";

export type ImportanceTarget = "objective" | "crash";
export type ImportanceMethod = "impurity" | "permutation";

export interface ImportanceOptions {
  target?: ImportanceTarget;
  method?: ImportanceMethod;
  trees?: number;
  seed?: number;
  encoding?: CategoricalEncoding;
  /** "parameter" (default): one value per parameter; "column": one per encoded column (NAME=value). */
  level?: "parameter" | "column";
  /** Other forest options (maxFeatures, maxDepth, ...). */
  forest?: ForestOptions;
}

export interface ImportanceRow {
  feature: string;
  importance: number;
}

export interface ImportanceResult {
  /** Sorted by decreasing importance (ties by name). */
  importances: ImportanceRow[];
  target: ImportanceTarget;
  method: ImportanceMethod;
  /** Rows the forest was fitted on. */
  rows: number;
  /** Encoded columns the forest saw. */
  columns: number;
  /** Parameters left out because they hold one value in those rows. */
  constant: string[];
}

/** The table rows a target uses: non-crashed rows with an objective, or every row for crash. */
export function targetRows(dataset: Dataset, target: ImportanceTarget): { rows: number[]; y: number[] } {
  const { table, schema } = dataset;
  const crashed = table.array(schema.crashColumn) as ArrayLike<boolean>;
  const objective = table.array(schema.objective.name) as ArrayLike<number | null>;
  const n = table.numRows();
  const rows: number[] = [];
  const y: number[] = [];
  const source = schema.provenance.source;
  if (target === "crash") {
    let crashes = 0;
    for (let i = 0; i < n; i++) {
      rows.push(i);
      y.push(crashed[i] ? 1 : 0);
      if (crashed[i]) crashes++;
    }
    if (crashes === 0 || crashes === n)
      fail(`${source}: ${crashes === 0 ? "no row crashed" : `all ${n} rows crashed`}; crash importance needs both crashed and non-crashed rows`);
    return { rows, y };
  }
  if (target !== "objective") fail(`target ${JSON.stringify(target)} is invalid; use "objective" or "crash"`);
  for (let i = 0; i < n; i++) {
    const v = objective[i];
    if (!crashed[i] && v !== null && v !== undefined && Number.isFinite(v)) {
      rows.push(i);
      y.push(v);
    }
  }
  if (rows.length < 2)
    fail(`${source}: only ${rows.length} of ${n} rows have a measured objective (the rest crashed); objective importance needs at least 2`);
  return { rows, y };
}

export function featureImportance(dataset: Dataset, options: ImportanceOptions = {}): ImportanceResult {
  const target = options.target ?? "objective";
  const method = options.method ?? "impurity";
  if (method !== "impurity" && method !== "permutation") fail(`method ${JSON.stringify(method)} is invalid; use "impurity" or "permutation"`);
  const level = options.level ?? "parameter";
  if (level !== "parameter" && level !== "column") fail(`level ${JSON.stringify(level)} is invalid; use "parameter" or "column"`);
  const { rows, y } = targetRows(dataset, target);
  const matrix: EncodedMatrix = featureMatrix(dataset, { rows, encoding: options.encoding });
  const forest = new RandomForest({
    ...options.forest,
    task: target === "crash" ? "classification" : "regression",
    trees: options.trees ?? options.forest?.trees ?? 100,
    seed: options.seed ?? options.forest?.seed ?? 0,
  }).fit(matrix, y);
  const values = method === "impurity" ? forest.featureImportances() : forest.permutationImportance();
  const sums = new Map<string, number>();
  matrix.names.forEach((name, j) => {
    const key = level === "column" ? name : matrix.parameterOf[j];
    sums.set(key, (sums.get(key) ?? 0) + values[j]);
  });
  const importances = [...sums].map(([feature, importance]) => ({ feature, importance }));
  importances.sort((a, b) => b.importance - a.importance || (a.feature < b.feature ? -1 : 1));
  const used = new Set(matrix.parameterOf);
  return {
    importances,
    target,
    method,
    rows: rows.length,
    columns: matrix.names.length,
    constant: dataset.schema.parameters.map((p) => p.name).filter((p) => !used.has(p)),
  };
}
