/**
 * The toolkit's own on-disk format for permutation datasets (what the harness records): a plain CSV file
 * plus a JSON sidecar `<name>.schema.json` holding the DatasetSchema and each column's type. Both are
 * readable without this toolkit; the sidecar is what keeps "0x1003", "18446744073692774399" or "007"
 * strings, tells a blank string ("" quoted) from a missing value (empty field), and keeps crash flags.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import * as aq from "arquero";
import { WayfinderError, quote } from "../errors";
import { formatCsvRow, parseCsv } from "./csv-text";
import type { Dataset, DatasetSchema } from "./types";

export const DATASET_FORMAT = "wayfinder-dataset";
export const DATASET_FORMAT_VERSION = 1;

export type ColumnType = "number" | "string" | "boolean";

export interface DatasetSidecar {
  format: typeof DATASET_FORMAT;
  version: number;
  /** The CSV file's name, relative to the sidecar. */
  data: string;
  rows: number;
  columns: Array<{ name: string; type: ColumnType }>;
  schema: DatasetSchema;
}

/** The sidecar path for a dataset CSV: runs/x.csv -> runs/x.schema.json. */
export function sidecarPath(csvFile: string): string {
  return join(dirname(csvFile), basename(csvFile).replace(/\.csv$/i, "") + ".schema.json");
}

function columnType(name: string, values: unknown[]): ColumnType {
  let type: ColumnType | undefined;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    const t: ColumnType = typeof v === "number" ? "number" : typeof v === "boolean" ? "boolean" : "string";
    if (typeof v === "number" && !Number.isFinite(v)) throw new WayfinderError(`column ${quote(name)} holds ${v}; only finite numbers can be written`);
    if (type === undefined) type = t;
    else if (type !== t) throw new WayfinderError(`column ${quote(name)} mixes ${type} and ${t} values; a column must hold one type`);
  }
  return type ?? "number";
}

/** Write `dataset` as `csvFile` plus its sidecar; returns the two paths. */
export function writeDataset(dataset: Dataset, csvFile: string): { data: string; schema: string } {
  if (!/\.csv$/i.test(csvFile)) throw new WayfinderError(`${csvFile}: a dataset file name must end in .csv`);
  const { table, schema } = dataset;
  const names = table.columnNames();
  const arrays = names.map((n) => Array.from(table.array(n) as ArrayLike<unknown>));
  const columns = names.map((name, i) => ({ name, type: columnType(name, arrays[i]) }));
  const n = table.numRows();
  const lines = [formatCsvRow(names)];
  for (let r = 0; r < n; r++) lines.push(formatCsvRow(arrays.map((a) => a[r] as string | number | boolean | null)));
  const sidecar: DatasetSidecar = { format: DATASET_FORMAT, version: DATASET_FORMAT_VERSION, data: basename(csvFile), rows: n, columns, schema };
  mkdirSync(dirname(csvFile), { recursive: true });
  writeFileSync(csvFile, lines.join("\n") + "\n");
  const schemaFile = sidecarPath(csvFile);
  writeFileSync(schemaFile, JSON.stringify(sidecar, null, 2) + "\n");
  return { data: csvFile, schema: schemaFile };
}

/** Read a dataset written by writeDataset (or by hand in the same format). */
export function readDataset(csvFile: string): Dataset {
  const schemaFile = sidecarPath(csvFile);
  if (!existsSync(csvFile)) throw new WayfinderError(`${csvFile}: no such file`);
  if (!existsSync(schemaFile)) {
    throw new WayfinderError(`${csvFile}: no schema sidecar ${schemaFile}; a plain CSV needs --objective, --direction and --crash-marker instead`);
  }
  let sidecar: DatasetSidecar;
  try {
    sidecar = JSON.parse(readFileSync(schemaFile, "utf8"));
  } catch (err) {
    throw new WayfinderError(`${schemaFile}: not valid JSON (${(err as Error).message})`);
  }
  if (sidecar.format !== DATASET_FORMAT || typeof sidecar.version !== "number" || !Array.isArray(sidecar.columns) || !sidecar.schema) {
    throw new WayfinderError(`${schemaFile}: not a ${DATASET_FORMAT} sidecar (expected "format": "${DATASET_FORMAT}", "version", "columns" and "schema")`);
  }
  if (sidecar.version > DATASET_FORMAT_VERSION) {
    throw new WayfinderError(`${schemaFile}: format version ${sidecar.version} is newer than this toolkit reads (${DATASET_FORMAT_VERSION})`);
  }
  const rows = parseCsv(readFileSync(csvFile, "utf8"), csvFile);
  while (rows.length > 0 && rows[rows.length - 1].every((f) => f === null)) rows.pop();
  const header = rows[0] ?? [];
  const expected = sidecar.columns.map((c) => c.name);
  if (header.length !== expected.length || header.some((h, i) => h !== expected[i])) {
    const i = header.findIndex((h, k) => h !== expected[k]);
    throw new WayfinderError(
      `${csvFile}: header does not match ${basename(schemaFile)}: ` +
        (i >= 0 ? `column ${i + 1} is ${quote(header[i])}, expected ${quote(expected[i])}` : `${header.length} columns, expected ${expected.length}`),
    );
  }
  const body = rows.slice(1);
  if (body.length !== sidecar.rows) {
    throw new WayfinderError(`${csvFile}: ${body.length} data rows but ${basename(schemaFile)} says ${sidecar.rows}; the files are out of step`);
  }
  const columns: Record<string, unknown[]> = {};
  sidecar.columns.forEach(({ name, type }, c) => {
    columns[name] = body.map((row, r) => {
      const line = r + 2;
      if (row.length !== expected.length) throw new WayfinderError(`${csvFile}: line ${line} has ${row.length} fields, expected ${expected.length}`);
      const f = row[c];
      if (f === null) return null;
      if (type === "string") return f;
      if (type === "boolean") {
        if (f === "true") return true;
        if (f === "false") return false;
        throw new WayfinderError(`${csvFile}: line ${line}, column ${quote(name)}: ${quote(f)}; expected true or false`);
      }
      const v = Number(f);
      if (f.trim() === "" || !Number.isFinite(v)) throw new WayfinderError(`${csvFile}: line ${line}, column ${quote(name)}: ${quote(f)} is not a number`);
      return v;
    });
  });
  const schema = sidecar.schema;
  const required = [schema.objective?.name, schema.crashColumn, ...(schema.parameters ?? []).map((p) => p.name), ...(schema.timingColumns ?? [])];
  for (const name of required) {
    if (name === undefined || !(name in columns)) throw new WayfinderError(`${schemaFile}: the schema names column ${quote(name)} but the CSV has no such column`);
  }
  return { table: aq.table(columns), schema: { ...schema, provenance: { ...schema.provenance, notes: [...(schema.provenance?.notes ?? [])] } } };
}
