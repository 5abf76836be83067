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
 * - boolean: strings from a two-value vocabulary such as y/n, yes/no, on/off, true/false, 0/1 kept as given.
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
  provenance: Provenance;
}

export interface Dataset {
  table: ColumnTable;
  schema: DatasetSchema;
}
