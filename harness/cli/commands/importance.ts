/**
 * `wayfinder importance <dataset> [--target objective|crash] [--method impurity|permutation] [--trees N]
 * [--seed S] [--encoding one-hot|ordinal] [--columns] [--top K] [--json] [dataset options]`: which
 * parameters matter, by random-forest importance (lib/analysis/feature-importance.ts).
 */
import { WayfinderError, quote } from "../../../lib/errors";
import { loadDataset } from "../../../lib/datasets";
import { featureImportance, forestBenchmark, formatForestBenchmark, type ImportanceOptions } from "../../../lib/analysis";
import { writeBenchmarkSection } from "../../../lib/bench/section";
import { cpus } from "node:os";
import { join } from "node:path";
import { datasetOptionsHelp, parseDatasetOptions } from "../dataset-options";

export const summary = "importance <dataset>: which parameters matter (random-forest importance)";

const usage = `usage: wayfinder importance <dataset> [options]

Fits a random forest to a permutation dataset and ranks its parameters: for the objective (regression on
the non-crashed rows) or for crashing (classification on all rows). Non-numeric parameters are one-hot
encoded and their columns' importances summed per parameter (--columns shows the columns themselves).

options:
  --target objective|crash        what to explain (default objective)
  --method impurity|permutation   mean decrease in impurity (default) or out-of-bag permutation importance
  --trees N                       number of trees (default 100)
  --seed S                        random seed (default 0)
  --encoding one-hot|ordinal      how non-numeric parameters become columns (default one-hot)
  --columns                       report encoded columns (NAME=value) instead of parameters
  --top K                         print only the K most important (text output; default 20)
  --json                          print [{"feature", "importance"}, ...] sorted by decreasing importance
${datasetOptionsHelp}

wayfinder importance --benchmark [--seeds 0,1,2]
  fits 100 trees on the redis pool's non-crashed rows with this forest and with scikit-learn
  (/usr/bin/python3, Debian python3-sklearn), each with the seeds and with the seeds + 100 (a second
  group per side), checks both sides got the same matrix, compares the importances forest by forest
  and seed-averaged, and writes the "forest" section of BENCHMARKS.md. About 5 minutes of CPU with
  three seeds (plus the reference script reading the .xlsx six times).`;

const root = join(import.meta.dirname, "..", "..", "..");

function benchmark(seeds: number[]): number {
  const pool = join(root, "..", "shared", "datasets", "wayfinder-ae", "measurements", "linux-redis_3_only_OS_single_core.xlsx");
  const script = join(root, "..", "shared", "tools", "sklearn_importance.py");
  const b = forestBenchmark({
    dataset: loadDataset(pool),
    poolFile: pool,
    crashMarker: "-1",
    python: "/usr/bin/python3",
    script,
    seeds,
    log: (l) => console.error(l),
  });
  const c = cpus();
  const machine = `Machine: ${c.length} x ${c[0]?.model ?? "unknown CPU"}, shared with other jobs (CPU time, not wall time, is compared).`;
  const body = formatForestBenchmark(b, `wayfinder importance --benchmark --seeds ${seeds.join(",")}`, machine);
  writeBenchmarkSection(join(root, "BENCHMARKS.md"), "forest", body);
  console.log(body);
  return 0;
}

function intOption(flag: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (value === undefined || !/^-?\d+$/.test(value) || n < min) throw new WayfinderError(`${flag} ${quote(value ?? "")}: expected an integer >= ${min}`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
    console.log(usage);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === "--benchmark") {
    let seeds = [0, 1, 2];
    if (argv[1] === "--seeds") {
      if (!/^\d+(,\d+)*$/.test(argv[2] ?? "")) throw new WayfinderError(`--seeds ${quote(argv[2] ?? "")}: expected comma-separated integers, e.g. 0,1,2`);
      seeds = argv[2].split(",").map(Number);
      if (seeds.length < 2 || new Set(seeds).size !== seeds.length)
        throw new WayfinderError(`--seeds ${quote(argv[2])}: give at least 2 different seeds (the spread between forests is part of the result)`);
    } else if (argv.length > 1) throw new WayfinderError(`importance --benchmark takes only --seeds; got ${quote(argv[1])}`);
    return benchmark(seeds);
  }
  const { options: loadOptions, rest } = parseDatasetOptions(argv);
  const opts: ImportanceOptions = {};
  let json = false;
  let top = 20;
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => rest[++i];
    switch (a) {
      case "--json": json = true; break;
      case "--columns": opts.level = "column"; break;
      case "--target": {
        const v = value();
        if (v !== "objective" && v !== "crash") throw new WayfinderError(`--target ${quote(v ?? "")}: expected objective or crash`);
        opts.target = v;
        break;
      }
      case "--method": {
        const v = value();
        if (v !== "impurity" && v !== "permutation") throw new WayfinderError(`--method ${quote(v ?? "")}: expected impurity or permutation`);
        opts.method = v;
        break;
      }
      case "--encoding": {
        const v = value();
        if (v !== "one-hot" && v !== "ordinal") throw new WayfinderError(`--encoding ${quote(v ?? "")}: expected one-hot or ordinal`);
        opts.encoding = v;
        break;
      }
      case "--trees": opts.trees = intOption(a, value(), 1); break;
      case "--seed": opts.seed = intOption(a, value(), 0); break;
      case "--top": top = intOption(a, value(), 1); break;
      default:
        if (a.startsWith("--")) throw new WayfinderError(`unknown option ${quote(a)} for importance; see wayfinder importance --help`);
        files.push(a);
    }
  }
  if (files.length !== 1) throw new WayfinderError(`importance takes one dataset file, got ${files.length}; see wayfinder importance --help`);
  const dataset = loadDataset(files[0], loadOptions);
  const result = featureImportance(dataset, opts);
  if (json) {
    console.log(JSON.stringify(result.importances));
    return 0;
  }
  const what = result.target === "crash" ? "crashing" : `${dataset.schema.objective.name}`;
  console.log(`${result.method} importance for ${what}: ${result.rows} rows, ${result.columns} encoded columns, ${result.constant.length} constant parameters left out`);
  const shown = result.importances.slice(0, top);
  const width = Math.max(...shown.map((r) => r.feature.length));
  for (const r of shown) console.log(`  ${r.feature.padEnd(width)}  ${r.importance.toFixed(6)}`);
  if (result.importances.length > top) console.log(`  ... ${result.importances.length - top} more (--top K, or --json for all)`);
  return 0;
}
