/**
 * Reads one sheet of an .xlsx file into a Grid, keeping each cell as the file stores it: shared or inline
 * strings stay text (so "18446744073692774399" and "0x1003" are exact), numbers are the stored double,
 * never the formatted text (the riscv pool formats -197586944 as "-197,586,944"). Parsed sheets are
 * cached on disk and in memory (see cache-dir.ts).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as XLSX from "xlsx";
import { WayfinderError, quote } from "../errors";
import { datasetCacheDir } from "./cache-dir";
import { type Cell, type Grid, columnLetters } from "./grid";

/** Bump when the cached JSON's shape or the cell conversion changes. */
const CACHE_VERSION = 3;

export interface ReadXlsxOptions {
  /** Sheet to read; default: the only sheet, or "Sheet1" when there are several. */
  sheet?: string;
  /** Use the on-disk cache (default true). */
  cache?: boolean;
}

interface ParsedSheet {
  sheet: string;
  header: Cell[];
  columns: Cell[][];
  rowCount: number;
  firstDataRow: number;
  notes: string[];
}

/**
 * On disk each column is dictionary-encoded (distinct cells + one index per row): pool columns hold a
 * handful of distinct values, so this is about 4x smaller than the cells and parses that much faster.
 */
interface CachedSheet extends Omit<ParsedSheet, "columns"> {
  version: number;
  /** codes: one character of CODE_CHARS per row when the column has at most 64 distinct cells. */
  columns: Array<{ dict: Cell[]; codes: number[] | string }>;
}

const CODE_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

function encodeColumns(columns: Cell[][]): CachedSheet["columns"] {
  return columns.map((col) => {
    const index = new Map<Cell, number>();
    const dict: Cell[] = [];
    const codes = col.map((cell) => {
      let k = index.get(cell);
      if (k === undefined) {
        k = dict.length;
        dict.push(cell);
        index.set(cell, k);
      }
      return k;
    });
    return { dict, codes: dict.length <= CODE_CHARS.length ? codes.map((k) => CODE_CHARS[k]).join("") : codes };
  });
}

function decodeColumns(columns: CachedSheet["columns"]): Cell[][] {
  return columns.map(({ dict, codes }) => {
    if (typeof codes !== "string") return codes.map((k) => dict[k]);
    const out: Cell[] = new Array(codes.length);
    for (let i = 0; i < codes.length; i++) out[i] = dict[CODE_CHARS.indexOf(codes[i])];
    return out;
  });
}

const memory = new Map<string, ParsedSheet>();

export function readXlsxGrid(file: string, options: ReadXlsxOptions = {}): Grid {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new WayfinderError(`${file}: no such file`);
  const st = statSync(abs);
  if (!st.isFile()) throw new WayfinderError(`${file}: not a file`);
  // File name = which file and sheet + which version of it, so a changed file replaces its old entry.
  const hash = (v: unknown) => createHash("sha1").update(JSON.stringify(v)).digest("hex").slice(0, 20);
  const prefix = `xlsx-${hash([abs, options.sheet ?? null])}-`;
  const key = prefix + hash([CACHE_VERSION, st.size, st.mtimeMs]);
  const useCache = options.cache !== false;
  let parsed = useCache ? memory.get(key) : undefined;
  const cacheFile = join(datasetCacheDir(), `${key}.json`);
  if (!parsed && useCache && existsSync(cacheFile)) {
    try {
      const c = JSON.parse(readFileSync(cacheFile, "utf8")) as CachedSheet;
      if (c.version === CACHE_VERSION) parsed = { ...c, columns: decodeColumns(c.columns) };
    } catch {
      // A truncated or foreign cache file is ignored and rewritten below.
    }
  }
  if (!parsed) {
    parsed = parseSheet(file, readFileSync(abs), options.sheet);
    if (useCache) writeCache(cacheFile, parsed, prefix);
  }
  if (useCache) memory.set(key, parsed);
  return {
    file,
    format: "xlsx",
    sheet: parsed.sheet,
    header: parsed.header,
    columns: parsed.columns,
    rowCount: parsed.rowCount,
    firstDataRow: parsed.firstDataRow,
    notes: [...parsed.notes],
  };
}

function writeCache(cacheFile: string, parsed: ParsedSheet, stalePrefix: string): void {
  try {
    const dir = join(cacheFile, "..");
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir)) {
      if (name.startsWith(stalePrefix) && name.endsWith(".json")) rmSync(join(dir, name), { force: true });
    }
    // Write then rename, so a concurrent reader never sees half a file.
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    const cached: CachedSheet = { ...parsed, version: CACHE_VERSION, columns: encodeColumns(parsed.columns) };
    writeFileSync(tmp, JSON.stringify(cached));
    renameSync(tmp, cacheFile);
  } catch {
    // The cache only saves time; a read-only checkout still works, just slower.
  }
}

function parseSheet(file: string, buf: Buffer, wanted: string | undefined): ParsedSheet {
  let names: string[];
  try {
    names = XLSX.read(buf, { type: "buffer", bookSheets: true }).SheetNames;
  } catch (err) {
    throw new WayfinderError(`${file}: not a readable .xlsx workbook (${(err as Error).message})`);
  }
  let sheet: string;
  if (wanted !== undefined) {
    if (!names.includes(wanted)) {
      throw new WayfinderError(`${file}: no sheet ${quote(wanted)}; the workbook's sheets are ${names.map((n) => quote(n)).join(", ")}`);
    }
    sheet = wanted;
  } else if (names.length === 1) {
    sheet = names[0];
  } else if (names.includes("Sheet1")) {
    sheet = "Sheet1";
  } else {
    throw new WayfinderError(`${file}: the workbook has ${names.length} sheets (${names.map((n) => quote(n)).join(", ")}); choose one with --sheet`);
  }
  const wb = XLSX.read(buf, { type: "buffer", dense: true, sheets: [sheet], cellText: false, cellHTML: false, cellNF: false });
  const ws = wb.Sheets[sheet] as unknown as XLSX.CellObject[][] & { "!ref"?: string };
  const notes: string[] = [];
  if (!ws || !ws["!ref"]) {
    return { sheet, header: [], columns: [], rowCount: 0, firstDataRow: 2, notes };
  }
  const range = XLSX.utils.decode_range(ws["!ref"]);
  const width = range.e.c + 1;
  const toRow = (r: number): Cell[] => {
    const src = ws[r] ?? [];
    const out: Cell[] = new Array(width).fill(null);
    for (let c = 0; c < width; c++) {
      const cell = src[c];
      if (cell) out[c] = toCell(cell, r, c, notes);
    }
    return out;
  };
  const header = toRow(range.s.r);
  const rowCount = range.e.r - range.s.r;
  const columns: Cell[][] = [];
  for (let c = 0; c < width; c++) columns.push(new Array(rowCount).fill(null));
  for (let r = range.s.r + 1; r <= range.e.r; r++) {
    const row = toRow(r);
    for (let c = 0; c < width; c++) columns[c][r - range.s.r - 1] = row[c];
  }
  return { sheet, header, columns, rowCount, firstDataRow: range.s.r + 2, notes };
}

function toCell(cell: XLSX.CellObject, r: number, c: number, notes: string[]): Cell {
  switch (cell.t) {
    case "s":
      return String(cell.v ?? "");
    case "n": {
      const v = cell.v as number;
      if (Number.isInteger(v) && !Number.isSafeInteger(v) && notes.length < 20) {
        // The XML holds the digits but the xlsx reader has already made them a double.
        notes.push(`cell ${columnLetters(c)}${r + 1} is a number beyond 2^53 (${v}); a spreadsheet number cannot keep all its digits, store such values as text`);
      }
      return v;
    }
    case "b":
      return cell.v ? "TRUE" : "FALSE";
    case "d":
      return cell.v instanceof Date ? cell.v.toISOString() : String(cell.v);
    case "e":
      return cell.w ?? "#ERROR";
    default:
      return null;
  }
}
