/**
 * Loaders for the artifact's files that are not permutation datasets: DeepTune timing logs, results
 * summaries, feature importances (Fig. 5), the Unikraft policy curves (Fig. 9) and Unicorn's cost (Fig. 7).
 * Each returns a plain arquero table of numbers (feature names excepted) with units, checking that the
 * file has the shape its family should have.
 */
import { basename } from "node:path";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { WayfinderError, quote } from "../errors";
import { findArtifact, type ArtifactFamily } from "./artifact-registry";
import { type Grid, cellText, isBlank } from "./grid";
import { parseNumberText } from "./number-text";
import { readCsvGrid } from "./read-csv-grid";
import type { Provenance } from "./types";

export interface ArtifactTable {
  family: Exclude<ArtifactFamily, "pool" | "trace">;
  table: ColumnTable;
  /** Unit of each column that has one, e.g. { time: "s", memory: "bytes" }. */
  units: Record<string, string>;
  provenance: Provenance;
}

function provenance(file: string, family: ArtifactFamily, grid: Grid, extra: Partial<Provenance> = {}): Provenance {
  const entry = findArtifact(file);
  return {
    source: file,
    loader: entry?.family === family ? `artifact ${entry.label}` : family,
    ...(entry?.app ? { app: entry.app } : {}),
    ...(entry?.os ? { os: entry.os } : {}),
    notes: [...(entry?.family === family ? entry.notes ?? [] : []), ...grid.notes],
    ...extra,
  };
}

/** Column `name` of the grid as numbers; blank cells become null only when `allowBlank`. */
function numbers(grid: Grid, c: number, name: string, allowBlank = false): Array<number | null> {
  return grid.columns[c].map((cell, r) => {
    if (isBlank(cell)) {
      if (allowBlank) return null;
      throw new WayfinderError(`${grid.file}: line ${grid.firstDataRow + r}, column ${quote(name)}: empty; expected a number`);
    }
    const v = typeof cell === "number" ? cell : parseNumberText(cell as string);
    if (v === undefined) throw new WayfinderError(`${grid.file}: line ${grid.firstDataRow + r}, column ${quote(name)}: ${quote(cell)} is not a number`);
    return v;
  });
}

function expectHeader(grid: Grid, expected: string[], what: string): void {
  const got = grid.header.map((h) => cellText(h).trim());
  if (got.length !== expected.length || got.some((h, i) => h !== expected[i])) {
    throw new WayfinderError(`${grid.file}: header is ${quote(got.join(","))}; a ${what} has the columns ${quote(expected.join(","))}`);
  }
}

function expectWidth(grid: Grid, width: number, what: string): void {
  if (grid.header.length !== width) {
    throw new WayfinderError(`${grid.file}: ${grid.header.length} columns; a ${what} has ${width}`);
  }
}

/** `n_samples-mem-time_K.csv`: DeepTune's memory (bytes) and update time (s) per number of samples. */
export function loadTimingLog(file: string): ArtifactTable {
  const grid = readCsvGrid(file);
  expectHeader(grid, ["n_samples", "memory", "time"], "DeepTune timing log");
  const table = aq.table({
    n_samples: numbers(grid, 0, "n_samples"),
    memory: numbers(grid, 1, "memory"),
    time: numbers(grid, 2, "time"),
  });
  return { family: "timing-log", table, units: { memory: "bytes", time: "s" }, provenance: provenance(file, "timing-log", grid) };
}

/** `results_summary_K.csv`: acquisitions so far, best normalised value, an undocumented score. */
export function loadResultsSummary(file: string): ArtifactTable {
  const grid = readCsvGrid(file, { header: false, names: ["acquisitions", "best_norm", "score"] });
  expectWidth(grid, 3, "results summary");
  const table = aq.table({
    acquisitions: numbers(grid, 0, "acquisitions"),
    best_norm: numbers(grid, 1, "best_norm"),
    score: numbers(grid, 2, "score"),
  });
  return { family: "results-summary", table, units: {}, provenance: provenance(file, "results-summary", grid) };
}

/** `<app>_feat_imp.csv`: feature name and random-forest importance, no header. */
export function loadFeatureImportance(file: string): ArtifactTable {
  const grid = readCsvGrid(file, { header: false, names: ["feature", "importance"] });
  expectWidth(grid, 2, "feature-importance file (feature,importance)");
  const features = grid.columns[0].map((cell, r) => {
    if (isBlank(cell)) throw new WayfinderError(`${file}: line ${r + 1}: empty feature name`);
    return cellText(cell);
  });
  const seen = new Map<string, number>();
  features.forEach((f, r) => {
    if (seen.has(f)) throw new WayfinderError(`${file}: feature ${quote(f)} appears on lines ${seen.get(f)! + 1} and ${r + 1}`);
    seen.set(f, r);
  });
  const app = /^([a-z]+)_feat_imp\.csv$/.exec(basename(file))?.[1];
  const table = aq.table({ feature: features, importance: numbers(grid, 1, "importance") });
  return {
    family: "feature-importance",
    table,
    units: {},
    provenance: provenance(file, "feature-importance", grid, app ? { app } : {}),
  };
}

/** `unikraft-nginx_policy.csv`: per-iteration mean/std throughput and cumulative time of three searchers. */
export function loadPolicyCurves(file: string): ArtifactTable {
  const grid = readCsvGrid(file);
  const names = grid.header.map((h, c) => (c === 0 && isBlank(h) ? "iteration" : cellText(h).trim()));
  const expected = ["rng_tp_mean", "rng_tp_std", "test_tm", "deeptune_tp_mean", "deeptune_tp_std", "deeptune_tm", "bayes-opt_tp_mean", "bayes-opt_tp_std", "bayes-opt_tm"];
  const missing = expected.filter((n) => !names.includes(n));
  if (missing.length) throw new WayfinderError(`${file}: missing column(s) ${missing.map((m) => quote(m)).join(", ")}; a policy-curves file has ${expected.join(",")}`);
  const columns: Record<string, Array<number | null>> = {};
  names.forEach((n, c) => {
    columns[n] = numbers(grid, c, n, true);
  });
  const units: Record<string, string> = {};
  for (const n of names) units[n] = n.endsWith("_tm") ? "s" : n === "iteration" ? "" : "req/s";
  delete units.iteration;
  return { family: "policy-curves", table: aq.table(columns), units, provenance: provenance(file, "policy-curves", grid) };
}

/** `unikorn_mem-time_vs_it.csv`: Unicorn's time (s) and memory (bytes) per number of samples. */
export function loadUnicornCost(file: string): ArtifactTable {
  const grid = readCsvGrid(file);
  expectHeader(grid, ["n_samples", "time", "mem"], "Unicorn cost file");
  const table = aq.table({
    n_samples: numbers(grid, 0, "n_samples"),
    time: numbers(grid, 1, "time"),
    mem: numbers(grid, 2, "mem"),
  });
  return { family: "unicorn-cost", table, units: { time: "s", mem: "bytes" }, provenance: provenance(file, "unicorn-cost", grid) };
}
