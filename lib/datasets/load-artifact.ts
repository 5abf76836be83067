/**
 * Reads any file the toolkit understands: a permutation dataset (see loadDataset) or one of the
 * artifact's other tables (timing logs, summaries, feature importances, policy curves, Unicorn cost).
 */
import { existsSync } from "node:fs";
import { WayfinderError } from "../errors";
import { findArtifact } from "./artifact-registry";
import {
  type ArtifactTable,
  loadFeatureImportance,
  loadPolicyCurves,
  loadResultsSummary,
  loadTimingLog,
  loadUnicornCost,
} from "./artifact-table";
import { type LoadOptions, loadDataset } from "./load-dataset";
import type { Dataset } from "./types";

export type LoadedFile = { kind: "dataset"; dataset: Dataset } | { kind: "table"; artifact: ArtifactTable };

export function loadArtifact(file: string, options: LoadOptions = {}): LoadedFile {
  if (!existsSync(file)) throw new WayfinderError(`${file}: no such file`);
  switch (findArtifact(file)?.family) {
    case "timing-log":
      return { kind: "table", artifact: loadTimingLog(file) };
    case "results-summary":
      return { kind: "table", artifact: loadResultsSummary(file) };
    case "feature-importance":
      return { kind: "table", artifact: loadFeatureImportance(file) };
    case "policy-curves":
      return { kind: "table", artifact: loadPolicyCurves(file) };
    case "unicorn-cost":
      return { kind: "table", artifact: loadUnicornCost(file) };
    default:
      return { kind: "dataset", dataset: loadDataset(file, options) };
  }
}
