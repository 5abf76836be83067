/**
 * `wayfinder dataset info <file> [--json] [dataset options]`: what a dataset file holds — rows,
 * parameters (all / varying), objective and direction, crashes, best and median objective — and every
 * default or quirk the loader applied. Also describes the artifact's non-dataset tables (timing logs,
 * feature importances, ...).
 */
import { WayfinderError, quote } from "../../../lib/errors";
import {
  type ArtifactTable,
  type Dataset,
  describeDirection,
  formatNumber,
  loadArtifact,
  summarizeDataset,
} from "../../../lib/datasets";
import { datasetOptionsHelp, parseDatasetOptions } from "../dataset-options";

export const summary = "dataset info <file>: rows, parameters, objective, crashes, best and median of a dataset";

const usage = `usage: wayfinder dataset info <file> [--json] [options]

Reads an artifact pool or trace (.xlsx), a dataset written by the toolkit (.csv + .schema.json), or any
.xlsx/.csv table, and prints what it holds. The median is over non-crashed rows.

options:
  --json                   print JSON instead of text
${datasetOptionsHelp}`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...args] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    console.log(usage);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== "info") throw new WayfinderError(`unknown dataset command ${quote(sub)}; expected: wayfinder dataset info <file>`);
  const { options, rest } = parseDatasetOptions(args);
  const json = rest.includes("--json");
  const files = rest.filter((a) => a !== "--json");
  const unknown = files.find((a) => a.startsWith("--"));
  if (unknown) throw new WayfinderError(`unknown option ${quote(unknown)} for dataset info; see wayfinder dataset --help`);
  if (files.length !== 1) throw new WayfinderError(`dataset info takes one file, got ${files.length}; see wayfinder dataset --help`);
  const file = files[0];
  const loaded = loadArtifact(file, options);
  const info = loaded.kind === "dataset" ? datasetInfo(file, loaded.dataset) : tableInfo(file, loaded.artifact);
  console.log(json ? JSON.stringify(info, null, 2) : loaded.kind === "dataset" ? datasetText(info as DatasetInfo) : tableText(info as TableInfo));
  return 0;
}

export interface DatasetInfo {
  file: string;
  kind: "dataset";
  loader: string;
  app?: string;
  os?: string;
  rows: number;
  parameters: { total: number; varying: number; constant: number; byKind: Record<string, number> };
  objective: { name: string; unit?: string; direction: "max" | "min"; description?: string };
  crashed: number;
  nonCrashed: number;
  best: number | null;
  bestId: number | string | null;
  idColumn?: string;
  median: number | null;
  medianOver: "non-crashed rows";
  droppedRows: number;
  notes: string[];
}

export function datasetInfo(file: string, dataset: Dataset): DatasetInfo {
  const s = summarizeDataset(dataset);
  const { schema } = dataset;
  const byKind: Record<string, number> = {};
  for (const p of schema.parameters) byKind[p.kind] = (byKind[p.kind] ?? 0) + 1;
  return {
    file,
    kind: "dataset",
    loader: schema.provenance.loader,
    ...(schema.provenance.app ? { app: schema.provenance.app } : {}),
    ...(schema.provenance.os ? { os: schema.provenance.os } : {}),
    rows: s.rows,
    parameters: { total: s.parameters, varying: s.varyingParameters, constant: s.parameters - s.varyingParameters, byKind },
    objective: { ...schema.objective },
    crashed: s.crashed,
    nonCrashed: s.rows - s.crashed,
    best: s.best,
    bestId: s.bestId,
    ...(schema.idColumn ? { idColumn: schema.idColumn } : {}),
    median: s.median,
    medianOver: "non-crashed rows",
    droppedRows: s.droppedRows,
    notes: schema.provenance.notes,
  };
}

function datasetText(i: DatasetInfo): string {
  const unit = i.objective.unit ? ` ${i.objective.unit}` : "";
  const lines = [
    `file        ${i.file}`,
    `read as     ${i.loader}${i.app ? ` (app ${i.app}${i.os ? `, os ${i.os}` : ""})` : ""}`,
    `rows        ${i.rows}${i.droppedRows ? ` (${i.droppedRows} row(s) of the file left out, see notes)` : ""}`,
    `parameters  ${i.parameters.total} (${i.parameters.varying} varying, ${i.parameters.constant} constant; ${Object.entries(i.parameters.byKind).map(([k, n]) => `${n} ${k}`).join(", ") || "none"})`,
    `objective   ${i.objective.name}${i.objective.unit ? ` (${i.objective.unit})` : ""}, ${describeDirection(i.objective)}`,
    `crashed     ${i.crashed} of ${i.rows} rows`,
    `best        ${formatNumber(i.best)}${unit}${i.bestId !== null ? ` (${i.idColumn ?? "row"} ${i.bestId})` : ""}`,
    `median      ${formatNumber(i.median)}${unit} (over the ${i.nonCrashed} non-crashed rows)`,
  ];
  if (i.objective.description) lines.push(`measures    ${i.objective.description}`);
  if (i.notes.length) lines.push("notes:", ...i.notes.map((n) => `  - ${n}`));
  return lines.join("\n");
}

export interface TableInfo {
  file: string;
  kind: ArtifactTable["family"];
  loader: string;
  rows: number;
  columns: Array<{ name: string; unit?: string; min: number | null; max: number | null; blanks: number }>;
  notes: string[];
}

function tableInfo(file: string, a: ArtifactTable): TableInfo {
  const columns = a.table.columnNames().map((name) => {
    const values = Array.from(a.table.array(name) as ArrayLike<unknown>);
    const nums = values.filter((v): v is number => typeof v === "number");
    return {
      name,
      ...(a.units[name] ? { unit: a.units[name] } : {}),
      min: nums.length ? Math.min(...nums) : null,
      max: nums.length ? Math.max(...nums) : null,
      blanks: values.filter((v) => v === null).length,
    };
  });
  return { file, kind: a.family, loader: a.provenance.loader, rows: a.table.numRows(), columns, notes: a.provenance.notes };
}

function tableText(i: TableInfo): string {
  const lines = [
    `file        ${i.file}`,
    `read as     ${i.loader} (a ${i.kind} table, not a permutation dataset)`,
    `rows        ${i.rows}`,
    "columns:",
    ...i.columns.map(
      (c) => `  ${c.name.padEnd(20)} ${c.min === null ? "(text)" : `${formatNumber(c.min, 4)} .. ${formatNumber(c.max, 4)}`}${c.unit ? ` ${c.unit}` : ""}${c.blanks ? `, ${c.blanks} blank` : ""}`,
    ),
  ];
  if (i.notes.length) lines.push("notes:", ...i.notes.map((n) => `  - ${n}`));
  return lines.join("\n");
}
