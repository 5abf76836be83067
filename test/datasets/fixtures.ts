/** Small workbooks and CSV files written on the fly for the loader tests (in a fresh temp folder). */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as XLSX from "xlsx";

const made: string[] = [];
// Temp folders go when the test file's process ends (node --test runs each file in its own process).
process.on("exit", () => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

export const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "wayfinder-datasets-"));
  made.push(d);
  return d;
};

/** Write an .xlsx whose sheets hold the given rows (strings become text cells, numbers number cells). */
export function writeXlsx(file: string, sheets: Record<string, Array<Array<string | number | null>>>): string {
  const wb = XLSX.utils.book_new();
  for (const [name, rows] of Object.entries(sheets)) {
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows.map((r) => r.map((c) => (c === null ? undefined : c)))), name);
  }
  writeFileSync(file, XLSX.write(wb, { type: "buffer", bookType: "xlsx" }));
  return file;
}

export function writeText(file: string, text: string): string {
  writeFileSync(file, text);
  return file;
}
