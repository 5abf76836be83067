/**
 * The one entry point for reading a permutation dataset, whatever the file: the toolkit's own CSV +
 * sidecar format, an artifact file the registry knows (pools, DeepTune traces), or any other .xlsx/.csv
 * table described by options. What is not stated by the file, the registry or the options is inferred
 * only where a safe default exists, and every such default is written to provenance.notes.
 */
import { existsSync } from "node:fs";
import { extname } from "node:path";
import { WayfinderError, quote } from "../errors";
import { type ArtifactEntry, findArtifact } from "./artifact-registry";
import { type DatasetSpec, buildDataset } from "./build-dataset";
import { readDataset, sidecarPath } from "./dataset-file";
import { type Grid, cellText } from "./grid";
import { readCsvGrid } from "./read-csv-grid";
import { readXlsxGrid } from "./read-xlsx-grid";
import type { Dataset, Direction } from "./types";

export interface LoadOptions {
  /** Objective column of the file (required for unknown files without a `throughput` column). */
  objective?: string;
  direction?: Direction;
  /** Objective values that mark a crashed row, as text ("-1", "0", "1"); an empty list means none. */
  crashMarkers?: string[];
  /** Sheet of an .xlsx workbook. */
  sheet?: string;
  /** Use the parsed-file cache (default true). */
  cache?: boolean;
}

/** Read any supported dataset file; see the module comment for how its meaning is decided. */
export function loadDataset(file: string, options: LoadOptions = {}): Dataset {
  if (!existsSync(file)) throw new WayfinderError(`${file}: no such file`);
  if (/\.csv$/i.test(file) && existsSync(sidecarPath(file))) return withOwnFormatOptions(readDataset(file), options);
  const entry = findArtifact(file);
  if (entry && entry.family !== "pool" && entry.family !== "trace") {
    throw new WayfinderError(`${file}: this is the artifact's ${entry.label}, not a permutation dataset; read it with loadArtifact (or "wayfinder dataset info")`);
  }
  if (entry) return loadArtifactDataset(file, entry, options);
  const grid = readGrid(file, options);
  return buildDataset(grid, genericSpec(file, grid, options));
}

/** Read the grid of an .xlsx or .csv file. */
export function readGrid(file: string, options: Pick<LoadOptions, "sheet" | "cache"> = {}): Grid {
  const ext = extname(file).toLowerCase();
  if (ext === ".xlsx" || ext === ".xlsm") return readXlsxGrid(file, { sheet: options.sheet, cache: options.cache });
  if (ext === ".csv") {
    if (options.sheet !== undefined) throw new WayfinderError(`${file}: --sheet only applies to .xlsx workbooks`);
    return readCsvGrid(file);
  }
  throw new WayfinderError(`${file}: unsupported file type ${quote(ext || "(none)")}; expected .xlsx or .csv`);
}

function loadArtifactDataset(file: string, entry: ArtifactEntry, options: LoadOptions): Dataset {
  const grid = readGrid(file, { sheet: options.sheet ?? "Sheet1", cache: options.cache });
  const obj = entry.objective!;
  const notes = [...(entry.notes ?? [])];
  const spec: DatasetSpec = {
    loader: `artifact ${entry.label}`,
    objective: { ...obj },
    crashMarkers: entry.crashMarkers ?? [],
    idColumn: "perm_id",
    extraColumns: entry.family === "trace" ? ["throughput_norm"] : [],
    app: entry.app,
    os: entry.os,
    notes,
  };
  if (entry.phases) {
    spec.phases = {};
    for (const name of grid.header.map((h) => cellText(h))) {
      const known = entry.phases.find((p) => p.match.test(name));
      if (known) spec.phases[name] = known.phase;
    }
  }
  // Options still win over the registry, but never silently.
  if (options.objective !== undefined && options.objective !== obj.column) {
    notes.push(`objective column ${quote(options.objective)} given by option instead of the registry's ${quote(obj.column)} (unit and transform dropped)`);
    spec.objective = { column: options.objective, direction: spec.objective.direction };
  }
  if (options.direction !== undefined && options.direction !== spec.objective.direction) {
    notes.push(`direction ${options.direction} given by option instead of the registry's ${spec.objective.direction}`);
    spec.objective.direction = options.direction;
  }
  if (options.crashMarkers !== undefined && options.crashMarkers.join("\u0000") !== spec.crashMarkers.join("\u0000")) {
    notes.push(`crash marker(s) ${fmtMarkers(options.crashMarkers)} given by option instead of the registry's ${fmtMarkers(spec.crashMarkers)}`);
    spec.crashMarkers = options.crashMarkers;
  }
  return buildDataset(grid, spec);
}

function genericSpec(file: string, grid: Grid, options: LoadOptions): DatasetSpec {
  const notes: string[] = ["file not in the artifact registry: read as a generic table"];
  const names = grid.header.map((h) => cellText(h).trim());
  let objective = options.objective;
  if (objective === undefined) {
    const guess = ["throughput", "objective"].find((n) => names.includes(n));
    if (guess === undefined) {
      throw new WayfinderError(`${file}: not a known artifact file and no --objective given; name the objective column (columns: ${names.filter(Boolean).slice(0, 12).map((n) => quote(n)).join(", ")}${names.length > 12 ? ", ..." : ""})`);
    }
    objective = guess;
    notes.push(`objective column not given: using the column named ${quote(guess)} (pass --objective to choose)`);
  }
  let direction = options.direction;
  if (direction === undefined) {
    direction = "max";
    notes.push("direction not given: assumed max (higher is better); pass --direction min if lower is better");
  }
  let crashMarkers = options.crashMarkers;
  if (crashMarkers === undefined) {
    crashMarkers = [];
    notes.push("no crash marker given: no row counts as crashed (pass --crash-marker VALUE)");
  }
  const idColumn = names.includes("perm_id") && objective !== "perm_id" ? "perm_id" : undefined;
  if (idColumn) notes.push("column perm_id read as the row identifier, not a parameter");
  return { loader: "generic table", objective: { column: objective, direction }, crashMarkers, idColumn, notes };
}

function withOwnFormatOptions(dataset: Dataset, options: LoadOptions): Dataset {
  const given = (["objective", "direction", "crashMarkers", "sheet"] as const).filter((k) => options[k] !== undefined);
  if (given.length > 0) {
    dataset.schema.provenance.notes.push(`option(s) ${given.join(", ")} ignored: the schema sidecar defines the dataset`);
  }
  return dataset;
}

function fmtMarkers(markers: string[]): string {
  return markers.length ? markers.map((m) => quote(m)).join(", ") : "(none)";
}
