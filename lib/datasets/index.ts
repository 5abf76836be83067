/**
 * Permutation datasets: loading the artifact's files and any table, the toolkit's own format, summaries.
 *
 *   const ds = loadDataset(artifactPool("redis"));          // or any .xlsx/.csv, with LoadOptions
 *   summarizeDataset(ds);                                    // rows, crashes, best, median, ...
 *   const rows = datasetRows(ds, parameterNames(ds, true)); // { config, objective, crashed, id } per row
 *   writeDataset(ds, "runs/x.csv"); readDataset("runs/x.csv");   // CSV + x.schema.json sidecar
 *
 * Tables are shared between loads of the same file (loads are memoised): treat them as read-only.
 * In a tslab notebook import "./lib/datasets/index" (tslab cannot resolve a folder import).
 */
export type { Dataset, DatasetSchema, ParameterSchema, ObjectiveSchema, Provenance, DroppedRow, Value, ValueKind, Direction, Phase } from "./types";
export { loadDataset, readGrid, type LoadOptions } from "./load-dataset";
export { loadArtifact, type LoadedFile } from "./load-artifact";
export { artifactRegistry, findArtifact, type ArtifactEntry, type ArtifactFamily } from "./artifact-registry";
export {
  loadTimingLog,
  loadResultsSummary,
  loadFeatureImportance,
  loadPolicyCurves,
  loadUnicornCost,
  type ArtifactTable,
} from "./artifact-table";
export { buildDataset, CRASH_COLUMN, type DatasetSpec } from "./build-dataset";
export { writeDataset, readDataset, sidecarPath, DATASET_FORMAT, DATASET_FORMAT_VERSION, type DatasetSidecar, type ColumnType } from "./dataset-file";
export { summarizeDataset, type DatasetSummary } from "./summarize-dataset";
export { datasetRows, parameterNames, parameterColumns, configKey, type DatasetRow } from "./dataset-rows";
export { inferParameter, type InferredParameter } from "./infer-parameter";
export { parseCsv, formatCsvRow, formatCsvField, type CsvField } from "./csv-text";
export { parseNumberText, isSafeIntegerText } from "./number-text";
export { readXlsxGrid, type ReadXlsxOptions } from "./read-xlsx-grid";
export { readCsvGrid, type ReadCsvOptions } from "./read-csv-grid";
export { type Grid, type Cell, columnLetters } from "./grid";
export { datasetCacheDir, projectRoot } from "./cache-dir";
export { formatNumber, formatTextTable, describeDirection } from "./format-summary";
export { relativeToBest } from "./relative-to-best";
export { artifactDir, artifactPool, ARTIFACT_POOLS, type ArtifactPoolName } from "./artifact-dir";
