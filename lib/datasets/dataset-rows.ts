/**
 * A dataset as rows of configurations, the form the search replay driver and the models consume:
 * each row's parameter values by name (a Config), its objective and its crash flag. Column arrays are
 * read once, so converting a 2000 x 340 pool takes milliseconds.
 */
import type { Config } from "../search/searcher";
import type { Dataset, Value } from "./types";

export interface DatasetRow {
  /** 0-based row of the dataset's table. */
  index: number;
  /** The row's identifier (idColumn), when the dataset has one. */
  id?: Value;
  config: Config;
  /** Objective value; null on crashed rows. */
  objective: number | null;
  crashed: boolean;
}

/** Names of the parameters, in schema order; `varyingOnly` leaves out constant ones. */
export function parameterNames(dataset: Dataset, varyingOnly = false): string[] {
  return dataset.schema.parameters.filter((p) => !varyingOnly || !p.constant).map((p) => p.name);
}

/**
 * Every row as a DatasetRow. `parameters` restricts the configs to those names (for example
 * parameterNames(ds, true) to drop constant columns); default: all parameters.
 */
export function datasetRows(dataset: Dataset, parameters: string[] = parameterNames(dataset)): DatasetRow[] {
  const { table, schema } = dataset;
  const cols = parameters.map((n) => table.array(n) as ArrayLike<Value>);
  const objective = table.array(schema.objective.name) as ArrayLike<number | null>;
  const crashed = table.array(schema.crashColumn) as ArrayLike<boolean>;
  const ids = schema.idColumn ? (table.array(schema.idColumn) as ArrayLike<Value>) : undefined;
  const n = table.numRows();
  const rows: DatasetRow[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const config: Config = {};
    for (let k = 0; k < parameters.length; k++) config[parameters[k]] = cols[k][i];
    rows[i] = { index: i, ...(ids ? { id: ids[i] } : {}), config, objective: objective[i] ?? null, crashed: Boolean(crashed[i]) };
  }
  return rows;
}

/** The values of each named parameter as a column array (for model feature matrices). */
export function parameterColumns(dataset: Dataset, parameters: string[] = parameterNames(dataset)): Record<string, Value[]> {
  const out: Record<string, Value[]> = {};
  for (const n of parameters) out[n] = Array.from(dataset.table.array(n) as ArrayLike<Value>);
  return out;
}

/**
 * A string identifying a configuration's values for `parameters` (in that order), so a replay driver can
 * find a proposed configuration among the dataset's rows with a Map. Numbers and their decimal text give
 * different keys on purpose: "15" and 15 are different values of a parameter.
 */
export function configKey(config: Config, parameters: string[]): string {
  return JSON.stringify(parameters.map((n) => (n in config ? config[n] : null)));
}
