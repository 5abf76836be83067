/**
 * A small RFC 4180 CSV reader and writer. The toolkit's own dataset files and the artifact's CSVs are
 * read through it rather than a type-guessing parser, so "0x1003" or "18446744073692774399" arrive as the
 * exact text in the file and the caller decides what a column means.
 */
import { WayfinderError } from "../errors";

/**
 * A parsed field: the text, or null for an empty unquoted field. A quoted empty field ("") is the empty
 * string, which lets the toolkit's own files tell a blank string value from a missing one.
 */
export type CsvField = string | null;

/** Parse CSV text into rows of fields. `file` only serves error messages. Lines may end in \n or \r\n. */
export function parseCsv(text: string, file = "<csv>"): CsvField[][] {
  const rows: CsvField[][] = [];
  let row: CsvField[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  const endField = () => {
    row.push(field === "" && !quoted ? null : field);
    field = "";
    quoted = false;
  };
  while (i < n) {
    const ch = text[i];
    if (ch === '"' && field === "" && !quoted) {
      // Quoted field: read to the closing quote, "" inside stands for one quote.
      quoted = true;
      const startLine = line;
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        if (c === "\n") line++;
        field += c;
        i++;
      }
      if (!closed) throw new WayfinderError(`${file}: line ${startLine}: quoted field is never closed (missing '"')`);
      const next = text[i];
      if (i < n && next !== "," && next !== "\n" && next !== "\r") {
        throw new WayfinderError(`${file}: line ${line}: unexpected character ${JSON.stringify(next)} after a closing quote; expected a comma or the end of the line`);
      }
      continue;
    }
    if (ch === ",") {
      endField();
      i++;
      continue;
    }
    if (ch === "\r" || ch === "\n") {
      endField();
      rows.push(row);
      row = [];
      if (ch === "\r" && text[i + 1] === "\n") i++;
      i++;
      line++;
      continue;
    }
    field += ch;
    i++;
  }
  if (field !== "" || quoted || row.length > 0) {
    endField();
    rows.push(row);
  }
  return rows;
}

/** Quote a field when needed; null becomes an empty field and "" a quoted empty field. */
export function formatCsvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  if (value === "" || /[",\r\n]/.test(value) || value.trim() !== value) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

export function formatCsvRow(values: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return values.map(formatCsvField).join(",");
}
