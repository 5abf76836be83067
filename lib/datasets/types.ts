/**
 * The shape of a recorded permutation dataset: an arquero table of evaluated configurations plus a
 * schema saying what each column means. Every part of the toolkit (search replay, DeepTune, analysis,
 * the VM harness's exports) reads and writes this one shape.
 */
import type { ColumnTable } from "arquero";

/** When a parameter takes effect, which decides what must be rebuilt or rebooted to change it. */
export type Phase = "compile" | "boot" | "runtime" | "application";

/**
 * How a parameter's values are kept in the table:
 * - integer: a JS number, only when every value is an integer exactly representable as a double;
 *   larger integers are kept as their decimal strings and the parameter is "categorical";
 * - categorical: strings (names, hex-looking values such as "0x1003", tuples such as "4096 87380 6291456");
 * - boolean: strings from a two-value vocabulary (y/n, yes/no, on/off, true/false) kept as given.
 *   Columns holding only 0 and 1 stay "integer" with domain [0, 1]: the data cannot tell a flag from an
 *   integer range that happened to be [0, 1], and both encode the same way for the models.
 * A column with blank cells is "categorical" (the blank is the value ""), since a number column cannot
 * hold "no value" without inventing one.
 */
export type ValueKind = "integer" | "categorical" | "boolean";

export type Value = number | string;

export interface ParameterSchema {
  name: string;
  kind: ValueKind;
  /** Observed values: sorted distinct values for categorical/boolean, [min, max] for integers. */
  domain: Value[];
  /** Number of distinct observed values (blank cells count as the value ""). */
  distinct: number;
  /** True when the column holds one value across the whole dataset. */
  constant: boolean;
  phase?: Phase;
}

export type Direction = "max" | "min";

export interface ObjectiveSchema {
  /** Column of the table holding the objective (null on crashed rows). */
  name: string;
  unit?: string;
  direction: Direction;
  /** What the objective measures, e.g. "redis-benchmark GET+SET throughput". */
  description?: string;
}

export interface Provenance {
  /** Absolute or as-given path of the file the dataset was read from. */
  source: string;
  /** Which loader or registry entry interpreted the file, e.g. "artifact:linux-redis pool". */
  loader: string;
  app?: string;
  os?: string;
  /** Human-readable notes about defaults that were inferred or quirks that were handled. */
  notes: string[];
  /** Rows of the source left out of the table, with the 1-based line/sheet row and why (never silent). */
  droppedRows?: DroppedRow[];
}

export interface DroppedRow {
  /** 1-based row of the file as a spreadsheet or text editor shows it (the header is row 1). */
  row: number;
  reason: string;
}

export interface DatasetSchema {
  parameters: ParameterSchema[];
  objective: ObjectiveSchema;
  /** Name of the boolean crash column (always present; false on every row when nothing crashed). */
  crashColumn: string;
  /** Optional columns with timings in seconds (e.g. build, boot, benchmark time). */
  timingColumns: string[];
  /** Column identifying a row within its source (e.g. perm_id), if any. */
  idColumn?: string;
  /** Other measured columns that are neither parameters nor the objective (e.g. throughput_norm). */
  extraColumns?: string[];
  provenance: Provenance;
}

export interface Dataset {
  table: ColumnTable;
  schema: DatasetSchema;
}
