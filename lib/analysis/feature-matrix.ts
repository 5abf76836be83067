/**
 * Turns a dataset's parameter columns into the numeric matrix a forest needs.
 *
 * Categorical handling (the same rule as the scikit-learn reference used in the benchmark):
 * - parameters whose every value (in the selected rows) is a decimal number, including integers too large
 *   for a double kept as text, become one numeric column; huge integers lose low digits as doubles, which
 *   keeps their order, all a tree split needs;
 * - every other parameter (names, tuples such as "4096 87380 6291456", y/n, blanks) becomes, with
 *   `encoding: "one-hot"` (default), one 0/1 column per value named `NAME=value` in sorted value order; with
 *   `encoding: "ordinal"`, one column of codes 0..k-1 in sorted value order (for trees an arbitrary order,
 *   so one-hot is the faithful choice; ordinal is smaller and faster);
 * - parameters holding one value in the selected rows are left out: no tree can split on them.
 * `parameterOf[j]` maps column j back to its parameter, so importances can be summed per parameter.
 */
import type { Dataset, Value } from "../datasets/types";
import { fail } from "../errors";
import type { FeatureMatrix } from "./binned-matrix";

export type CategoricalEncoding = "one-hot" | "ordinal";

export interface EncodedMatrix extends FeatureMatrix {
  /** Parameter of each column. */
  parameterOf: string[];
  /** Table row of each matrix row. */
  rows: number[];
}

const decimal = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Encode the parameters of the given table rows (default: all rows). */
export function featureMatrix(
  dataset: Dataset,
  options: { rows?: number[]; encoding?: CategoricalEncoding; parameters?: string[] } = {},
): EncodedMatrix {
  const encoding = options.encoding ?? "one-hot";
  if (encoding !== "one-hot" && encoding !== "ordinal") fail(`encoding ${JSON.stringify(encoding)} is invalid; use "one-hot" or "ordinal"`);
  const { table, schema } = dataset;
  const rows = options.rows ?? Array.from({ length: table.numRows() }, (_, i) => i);
  const known = new Set(schema.parameters.map((p) => p.name));
  const parameters = options.parameters ?? schema.parameters.map((p) => p.name);
  for (const p of parameters) if (!known.has(p)) fail(`dataset ${schema.provenance.source} has no parameter ${JSON.stringify(p)}`);
  const names: string[] = [];
  const columns: Float64Array[] = [];
  const parameterOf: string[] = [];
  for (const name of parameters) {
    const all = table.array(name) as ArrayLike<Value>;
    const values = rows.map((r) => all[r]);
    const distinct = [...new Set(values.map(String))];
    if (distinct.length < 2) continue;
    if (values.every((v) => typeof v === "number" || decimal.test(v))) {
      names.push(name);
      columns.push(Float64Array.from(values, Number));
      parameterOf.push(name);
      continue;
    }
    distinct.sort();
    if (encoding === "ordinal") {
      const code = new Map(distinct.map((v, k) => [v, k]));
      names.push(name);
      columns.push(Float64Array.from(values, (v) => code.get(String(v))!));
      parameterOf.push(name);
    } else
      for (const level of distinct) {
        names.push(`${name}=${level}`);
        columns.push(Float64Array.from(values, (v) => (String(v) === level ? 1 : 0)));
        parameterOf.push(name);
      }
  }
  if (columns.length === 0)
    fail(`dataset ${schema.provenance.source}: every parameter holds a single value in the ${rows.length} selected rows; nothing to learn from`);
  return { names, columns, parameterOf, rows };
}
