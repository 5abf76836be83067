/**
 * Reads a CSV file into a Grid with every cell as its exact text (or null when empty). The first line is
 * the header unless `header: false`; a numpy-style header line "# a,b,c" (the artifact's timing logs) is
 * read as a header with the "# " removed.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { WayfinderError } from "../errors";
import { type Cell, type Grid, rowsToColumns } from "./grid";
import { parseCsv } from "./csv-text";

export interface ReadCsvOptions {
  /** False for headerless files: columns are then named by `names`, or "1", "2", ... */
  header?: boolean;
  names?: string[];
}

export function readCsvGrid(file: string, options: ReadCsvOptions = {}): Grid {
  if (!existsSync(file)) throw new WayfinderError(`${file}: no such file`);
  if (!statSync(file).isFile()) throw new WayfinderError(`${file}: not a file`);
  const rows = parseCsv(readFileSync(file, "utf8"), file);
  // A final newline leaves no row; a trailing blank line leaves a row with one null field.
  while (rows.length > 0 && rows[rows.length - 1].every((f) => f === null)) rows.pop();
  const notes: string[] = [];
  let header: Cell[];
  let body: Cell[][];
  let firstDataRow: number;
  if (options.header === false) {
    const width = Math.max(0, ...rows.map((r) => r.length));
    header = options.names ?? Array.from({ length: width }, (_, i) => String(i + 1));
    body = rows;
    firstDataRow = 1;
  } else {
    if (rows.length === 0) throw new WayfinderError(`${file}: the file is empty; expected a header line with column names`);
    header = rows[0].map((h) => (h === null ? null : h.replace(/^#\s*/, "")));
    if (rows[0][0]?.startsWith("#")) notes.push(`the header line starts with "#" (numpy style); read as column names`);
    body = rows.slice(1);
    firstDataRow = 2;
  }
  body.forEach((row, i) => {
    if (row.length > header.length) {
      throw new WayfinderError(`${file}: line ${firstDataRow + i} has ${row.length} fields but the header has ${header.length} columns`);
    }
  });
  return { file, format: "csv", header, columns: rowsToColumns(body, header.length), rowCount: body.length, firstDataRow, notes };
}
