/**
 * Turns a raw Grid into a Dataset following a DatasetSpec (which column is the objective, its direction,
 * crash markers, ...). The one place where cells become typed columns, shared by the artifact registry,
 * the generic loader and the command line. Rows are never dropped silently: each left-out row is listed
 * in provenance.droppedRows with its reason.
 */
import * as aq from "arquero";
import { WayfinderError, quote } from "../errors";
import { type Cell, type Grid, cellText, columnLabel, isBlank } from "./grid";
import { inferParameter } from "./infer-parameter";
import { parseNumberText } from "./number-text";
import type { Dataset, Direction, DroppedRow, ParameterSchema, Phase, Value } from "./types";

export interface DatasetSpec {
  /** Names the interpretation in provenance, e.g. "artifact pool linux-redis". */
  loader: string;
  objective: {
    /** Column of the file holding the objective. */
    column: string;
    /** Name of the objective column in the dataset (default: the file's column name). */
    name?: string;
    /** Store minus the file's value (the riscv pool stores minus the memory in bytes). */
    negate?: boolean;
    unit?: string;
    direction: Direction;
    description?: string;
  };
  /** Objective cells equal to one of these (as text, or as numbers) mark a crashed row. */
  crashMarkers: string[];
  idColumn?: string;
  extraColumns?: string[];
  timingColumns?: string[];
  phases?: Record<string, Phase>;
  app?: string;
  os?: string;
  /** Notes to carry into provenance (inferred defaults, handled quirks). */
  notes: string[];
}

export const CRASH_COLUMN = "crashed";

/**
 * Datasets already built from a grid's cells (the cached grid of a pool is the same array every time),
 * so loading a pool again in one process costs a schema copy; arquero tables are immutable.
 */
const built = new WeakMap<Cell[][], Map<string, Dataset>>();

export function buildDataset(grid: Grid, spec: DatasetSpec): Dataset {
  const key = JSON.stringify([grid.file, grid.sheet, grid.firstDataRow, grid.notes, spec]);
  const hit = built.get(grid.columns)?.get(key);
  if (hit) return { table: hit.table, schema: structuredClone(hit.schema) };
  const dataset = build(grid, spec);
  if (!built.has(grid.columns)) built.set(grid.columns, new Map());
  built.get(grid.columns)!.set(key, { table: dataset.table, schema: structuredClone(dataset.schema) });
  return dataset;
}

function build(grid: Grid, spec: DatasetSpec): Dataset {
  const notes = [...spec.notes, ...grid.notes];
  const where = grid.sheet ? `${grid.file} (sheet ${quote(grid.sheet)})` : grid.file;
  const rowOf = (i: number) => grid.firstDataRow + i;

  // Column names: an unnamed first column is the row index pandas writes; other unnamed columns must be empty.
  const names: Array<string | null> = [];
  const seen = new Map<string, number>();
  grid.header.forEach((h, c) => {
    const name = isBlank(h) ? "" : cellText(h).trim();
    if (name === "") {
      if (c === 0) {
        notes.push(`${columnLabel(grid, 0)} has no name: read as a row index and left out`);
      } else if (!grid.columns[c].every(isBlank)) {
        throw new WayfinderError(`${where}: ${columnLabel(grid, c)} has values but no name in the header row; name it or remove it`);
      }
      names.push(null);
      return;
    }
    const prev = seen.get(name);
    if (prev !== undefined) {
      throw new WayfinderError(`${where}: duplicate column name ${quote(name)} in ${columnLabel(grid, prev)} and ${columnLabel(grid, c)}; column names must be unique`);
    }
    seen.set(name, c);
    names.push(name);
  });
  const columnIndex = (name: string, role: string): number => {
    const c = seen.get(name);
    if (c === undefined) {
      const list = [...seen.keys()];
      const shown = list.slice(0, 12).map((n) => quote(n)).join(", ") + (list.length > 12 ? `, ... (${list.length} in all)` : "");
      throw new WayfinderError(`${where}: no ${role} column ${quote(name)}; the columns are ${shown || "(none)"}`);
    }
    return c;
  };

  const objCol = columnIndex(spec.objective.column, "objective");
  const objectiveName = spec.objective.name ?? spec.objective.column;
  const markers = spec.crashMarkers.map((m) => ({ text: m.trim(), num: parseNumberText(m) }));
  const isMarker = (cell: Cell): boolean =>
    markers.some((m) =>
      typeof cell === "number" ? m.num === cell : cell !== null && (cell.trim() === m.text || (m.num !== undefined && parseNumberText(cell) === m.num)),
    );

  // Rows: drop wholly blank rows and rows without an objective value, listing each; reject non-numbers.
  const dropped: DroppedRow[] = [];
  const keep: number[] = [];
  const objective: Array<number | null> = [];
  const crashed: boolean[] = [];
  const badCells: Array<{ row: number; cell: Cell }> = [];
  const objCells = grid.columns[objCol];
  for (let i = 0; i < grid.rowCount; i++) {
    const cell = objCells[i];
    if (isBlank(cell)) {
      const empty = grid.columns.every((col) => isBlank(col[i]));
      dropped.push({ row: rowOf(i), reason: empty ? "empty row" : `no value in objective column ${quote(spec.objective.column)}` });
      continue;
    }
    if (isMarker(cell)) {
      keep.push(i);
      objective.push(null);
      crashed.push(true);
      continue;
    }
    const v = typeof cell === "number" ? cell : parseNumberText(cell as string);
    if (v === undefined || !Number.isFinite(v)) {
      badCells.push({ row: rowOf(i), cell });
      continue;
    }
    keep.push(i);
    objective.push(spec.objective.negate ? -v : v);
    crashed.push(false);
  }
  if (badCells.length > 0) {
    const first = badCells[0];
    const markerText = spec.crashMarkers.length ? `a crash marker (${spec.crashMarkers.map((m) => quote(m)).join(", ")})` : "a crash marker (none given; see --crash-marker)";
    throw new WayfinderError(
      `${where}: row ${first.row}, objective column ${quote(spec.objective.column)}: ${quote(first.cell)} is not a number; expected a number or ${markerText}` +
        (badCells.length > 1 ? ` (${badCells.length} such rows: ${badCells.slice(0, 5).map((b) => b.row).join(", ")}${badCells.length > 5 ? ", ..." : ""})` : ""),
      { file: grid.file, row: first.row, column: spec.objective.column, value: first.cell, count: badCells.length },
    );
  }
  const emptyRows = dropped.filter((d) => d.reason === "empty row").length;
  if (dropped.length > 0) {
    notes.push(
      `${dropped.length} row(s) left out: ${emptyRows} empty, ${dropped.length - emptyRows} without an objective value` +
        ` (rows ${dropped.slice(0, 8).map((d) => d.row).join(", ")}${dropped.length > 8 ? ", ..." : ""})`,
    );
  }
  if (spec.objective.negate) notes.push(`objective ${quote(objectiveName)} = minus the file's ${quote(spec.objective.column)} column`);

  const pick = (c: number): Cell[] => keep.map((i) => grid.columns[c][i]);
  const columns: Record<string, unknown[]> = {};

  let idColumn: string | undefined;
  if (spec.idColumn !== undefined && seen.has(spec.idColumn)) {
    idColumn = spec.idColumn;
    columns[idColumn] = idValues(pick(seen.get(idColumn)!));
  } else if (spec.idColumn !== undefined) {
    columnIndex(spec.idColumn, "id");
  }
  if (columns[objectiveName] !== undefined) {
    throw new WayfinderError(`${where}: objective name ${quote(objectiveName)} is also the id column; choose another objective`);
  }
  columns[objectiveName] = objective;
  let crashColumn = CRASH_COLUMN;
  while (seen.has(crashColumn) || crashColumn === objectiveName) crashColumn = `_${crashColumn}`;
  columns[crashColumn] = crashed;

  const numericColumn = (name: string, role: string): Array<number | null> => {
    const c = columnIndex(name, role);
    return pick(c).map((cell, k) => {
      if (isBlank(cell)) return null;
      const v = typeof cell === "number" ? cell : parseNumberText(cell as string);
      if (v === undefined) {
        throw new WayfinderError(`${where}: row ${rowOf(keep[k])}, ${role} column ${quote(name)}: ${quote(cell)} is not a number`);
      }
      return v;
    });
  };
  const extraColumns = spec.extraColumns ?? [];
  for (const name of extraColumns) columns[name] = numericColumn(name, "measurement");
  const timingColumns = spec.timingColumns ?? [];
  for (const name of timingColumns) columns[name] = numericColumn(name, "timing");

  const taken = new Set([spec.objective.column, ...(idColumn ? [idColumn] : []), ...extraColumns, ...timingColumns]);
  const parameters: ParameterSchema[] = [];
  names.forEach((name, c) => {
    if (name === null || taken.has(name)) return;
    if (columns[name] !== undefined) {
      throw new WayfinderError(`${where}: parameter column ${quote(name)} clashes with the objective or crash column name; rename it`);
    }
    const inferred = inferParameter(name, pick(c), spec.phases?.[name]);
    parameters.push(inferred.schema);
    columns[name] = inferred.values as Value[];
    if (inferred.note) notes.push(inferred.note);
  });

  return {
    table: aq.table(columns),
    schema: {
      parameters,
      objective: {
        name: objectiveName,
        direction: spec.objective.direction,
        ...(spec.objective.unit !== undefined ? { unit: spec.objective.unit } : {}),
        ...(spec.objective.description !== undefined ? { description: spec.objective.description } : {}),
      },
      crashColumn,
      timingColumns: [...timingColumns],
      ...(idColumn ? { idColumn } : {}),
      ...(extraColumns.length ? { extraColumns: [...extraColumns] } : {}),
      provenance: {
        source: grid.file,
        loader: spec.loader,
        ...(spec.app ? { app: spec.app } : {}),
        ...(spec.os ? { os: spec.os } : {}),
        notes,
        ...(dropped.length ? { droppedRows: dropped } : {}),
      },
    },
  };
}

/** Row identifiers: numbers when every one is a plain integer (also "1,000"), else the cells' text. */
function idValues(cells: Cell[]): Value[] {
  const nums = cells.map((cell) => (typeof cell === "number" ? cell : cell === null ? undefined : parseNumberText(cell)));
  if (nums.every((v) => v !== undefined && Number.isSafeInteger(v))) return nums as number[];
  return cells.map(cellText);
}
