/**
 * A raw sheet as read from a file, before any column is interpreted: the header row and the data rows,
 * with each cell as the file stores it (text, a number, or null when empty), kept column by column since
 * every consumer works on columns. Loaders turn a Grid into a
 * Dataset or a plain table; keeping this step separate lets the slow part (unzipping and parsing .xlsx)
 * be cached.
 */
export type Cell = string | number | null;

export interface Grid {
  /** The file the grid came from, as given by the caller (for messages). */
  file: string;
  format: "xlsx" | "csv";
  /** Sheet name for .xlsx files. */
  sheet?: string;
  header: Cell[];
  /** Data cells column by column: columns[c][r]; every column has rowCount cells. */
  columns: Cell[][];
  rowCount: number;
  /** 1-based row number, in the file, of the first data row (the header is the row before it). */
  firstDataRow: number;
  /** Things the reader noticed that the caller should report (e.g. numeric cells beyond 2^53). */
  notes: string[];
}

/** Spreadsheet column letters for a 0-based index: 0 -> A, 26 -> AA. */
export function columnLetters(index: number): string {
  let s = "";
  let n = index + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** How messages name column `index` of a grid: "column C" in a sheet, "column 3" in a CSV. */
export function columnLabel(grid: Pick<Grid, "format">, index: number): string {
  return grid.format === "xlsx" ? `column ${columnLetters(index)}` : `column ${index + 1}`;
}

/** True when a cell holds nothing (missing, or an empty or all-blank text). */
export function isBlank(cell: Cell | undefined): boolean {
  return cell === null || cell === undefined || (typeof cell === "string" && cell.trim() === "");
}

/** The cell's text: numbers in their shortest exact decimal form, blanks as "". */
export function cellText(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return "";
  return typeof cell === "number" ? String(cell) : cell;
}

/** Build a column-major grid body from rows of cells (short rows are padded with nulls). */
export function rowsToColumns(rows: Cell[][], width: number): Cell[][] {
  const columns: Cell[][] = [];
  for (let c = 0; c < width; c++) {
    const col: Cell[] = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) col[r] = rows[r][c] ?? null;
    columns.push(col);
  }
  return columns;
}
