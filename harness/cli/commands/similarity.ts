/**
 * `wayfinder similarity <dataset-or-importance-file...> [--json] [importance options]`: the paper's
 * Fig. 5 matrix, 1 / (1 + Euclidean distance) between applications' parameter importances over their
 * common parameters. Each argument is an importance file (the artifact's `<app>_feat_imp.csv`, or the
 * JSON that `wayfinder importance --json` prints) or a dataset whose importances are computed here.
 */
import { readFileSync } from "node:fs";
import { WayfinderError, quote } from "../../../lib/errors";
import { findArtifact, loadDataset, loadFeatureImportance } from "../../../lib/datasets";
import {
  featureImportance,
  labelFromFile,
  similarityMatrix,
  type ImportanceOptions,
  type ImportanceRow,
  type ImportanceVector,
} from "../../../lib/analysis";
import { datasetOptionsHelp, parseDatasetOptions } from "../dataset-options";

export const summary = "similarity <file...>: cross-application similarity of parameter importance (Fig. 5)";

const usage = `usage: wayfinder similarity <file> <file> [...] [options]

Each file is an importance file (<app>_feat_imp.csv with lines feature,importance; or a .json array of
{"feature", "importance"} as printed by wayfinder importance --json) or a dataset (pool) whose importance
is computed with a random forest. Labels come from the file names (redis from redis_feat_imp.csv).
Similarity = 1 / (1 + Euclidean distance) over the parameters common to all files.

options:
  --json                          print {"labels": [...], "matrix": [[...]], "features": N}
  --method impurity|permutation   importance method for datasets (default permutation, like the paper's
                                  published importances, which can be negative)
  --trees N                       trees per forest for datasets (default 100)
  --seed S                        random seed (default 0)
${datasetOptionsHelp}`;

function readImportanceJson(file: string): ImportanceRow[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new WayfinderError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(data)) throw new WayfinderError(`${file}: expected a JSON array of {"feature", "importance"}`);
  return data.map((r, i) => {
    if (typeof r?.feature !== "string" || typeof r?.importance !== "number")
      throw new WayfinderError(`${file}: element ${i} is ${quote(JSON.stringify(r))}; expected {"feature": string, "importance": number}`);
    return { feature: r.feature, importance: r.importance };
  });
}

export async function run(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
    console.log(usage);
    return argv.length === 0 ? 2 : 0;
  }
  const { options: loadOptions, rest } = parseDatasetOptions(argv);
  const opts: ImportanceOptions = { method: "permutation" };
  let json = false;
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const v = () => rest[++i] ?? "";
    if (a === "--json") json = true;
    else if (a === "--method") {
      const m = v();
      if (m !== "impurity" && m !== "permutation") throw new WayfinderError(`--method ${quote(m)}: expected impurity or permutation`);
      opts.method = m;
    } else if (a === "--trees" || a === "--seed") {
      const s = v();
      if (!/^\d+$/.test(s) || (a === "--trees" && Number(s) < 1)) throw new WayfinderError(`${a} ${quote(s)}: expected a ${a === "--trees" ? "positive " : ""}integer`);
      if (a === "--trees") opts.trees = Number(s);
      else opts.seed = Number(s);
    } else if (a.startsWith("--")) throw new WayfinderError(`unknown option ${quote(a)} for similarity; see wayfinder similarity --help`);
    else files.push(a);
  }
  const vectors: ImportanceVector[] = files.map((file) => {
    const label = labelFromFile(file);
    if (/\.json$/i.test(file)) return { label, importances: readImportanceJson(file) };
    if (findArtifact(file)?.family === "feature-importance" || /_feat_imp\.csv$/i.test(file)) {
      const t = loadFeatureImportance(file).table;
      const f = t.array("feature") as string[];
      const imp = t.array("importance") as number[];
      return { label, importances: Array.from(f, (feature, i) => ({ feature, importance: imp[i] })) };
    }
    return { label, importances: featureImportance(loadDataset(file, loadOptions), opts).importances };
  });
  const result = similarityMatrix(vectors);
  if (json) {
    console.log(JSON.stringify({ labels: result.labels, matrix: result.matrix, features: result.features.length }));
    return 0;
  }
  const w = Math.max(6, ...result.labels.map((l) => l.length));
  console.log(`similarity over ${result.features.length} common parameters`);
  console.log(" ".repeat(w) + result.labels.map((l) => "  " + l.padStart(w)).join(""));
  result.labels.forEach((l, i) => console.log(l.padEnd(w) + result.matrix[i].map((x) => "  " + x.toFixed(3).padStart(w)).join("")));
  return 0;
}
