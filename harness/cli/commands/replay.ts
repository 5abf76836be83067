/**
 * wayfinder replay: run searchers against a recorded pool used as an oracle (paper §4) and print, per
 * searcher and averaged over seeds, the best value after 25/50/100/250 evaluations (95 % CI), the
 * normalised regret, the crash rate and the evaluations needed to reach 99.5 % of the pool's best.
 *
 * Searcher-specific settings: `--set name=value` (repeatable), or any other `--some-option value`, which
 * becomes setting `someOption` (e.g. `--transfer-from model.json` -> transferFrom for deeptune). Each such
 * setting goes to the searchers that declare it; one that no requested searcher declares is an error.
 */
import { loadDataset } from "../../../lib/datasets";
import { WayfinderError, quote } from "../../../lib/errors";
import { getSearcher, searcherNames } from "../../../lib/search/registry";
import { replayPool } from "../../../lib/search/replay-pool";
import { formatReplayTable, replaySearchers } from "../../../lib/search/replay-report";
import { datasetOptionsHelp, parseDatasetOptions } from "../dataset-options";
import { parseSetOption } from "../set-option";

export const summary = "replay searchers on a recorded pool: best after 25/50/100/250, regret, crash rate";

const usage = `usage: wayfinder replay --dataset <file> [--searcher random,grid,bayes] [--budget 250] [--seeds 10] [--json]

  --dataset <file>         a recorded pool (.xlsx artifact pool, .csv, or our CSV + sidecar format)
  --searcher <a,b,...>     searchers to compare (default random); known: ${searcherNames().join(", ")}
  --budget <n>             evaluations per run (default 250)
  --seeds <n>              runs per searcher, seeds 1..n (default 10); --first-seed <k> starts at k
  --batch <k>              configurations asked for at once (default 1)
  --json                   one JSON object per searcher per line instead of the table
  --runs                   one JSON object per run (searcher, seed, values with null = crash, askMs) instead
  --set <name=value>       a searcher setting (repeatable); any other --option value is passed the same way
${datasetOptionsHelp}`;

export interface ReplayArgs {
  dataset: string;
  searchers: string[];
  budget: number;
  seeds: number;
  firstSeed: number;
  batch: number;
  json: boolean;
  runs: boolean;
  settings: Record<string, unknown>;
  loadOptions: ReturnType<typeof parseDatasetOptions>["options"];
}

function positiveInt(flag: string, v: string | undefined): number {
  const n = v === undefined ? NaN : Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new WayfinderError(`${flag} ${quote(v ?? "")} is not valid; expected a positive integer`);
  return n;
}

const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function parseReplayArgs(argv: string[]): ReplayArgs {
  const { options: loadOptions, rest } = parseDatasetOptions(argv);
  const a: Partial<ReplayArgs> & { settings: Record<string, unknown> } = { settings: {}, json: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      if (eq > 0 && arg.startsWith("--")) return arg.slice(eq + 1);
      const v = rest[++i];
      if (v === undefined) throw new WayfinderError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--dataset":
        a.dataset = value();
        break;
      case "--searcher":
      case "--searchers":
        a.searchers = value().split(",").map((s) => s.trim()).filter(Boolean);
        break;
      case "--budget":
        a.budget = positiveInt(flag, value());
        break;
      case "--seeds":
        a.seeds = positiveInt(flag, value());
        break;
      case "--first-seed": {
        const v = value();
        if (!/^-?\d+$/.test(v)) throw new WayfinderError(`--first-seed ${quote(v)} is not valid; expected an integer`);
        a.firstSeed = Number(v);
        break;
      }
      case "--batch":
        a.batch = positiveInt(flag, value());
        break;
      case "--json":
        a.json = true;
        break;
      case "--runs":
        a.runs = true;
        break;
      case "--set": {
        const { name, value: v } = parseSetOption(value());
        a.settings[name] = v;
        break;
      }
      default:
        if (/^--[a-z][a-z0-9-]*$/.test(flag)) a.settings[camel(flag.slice(2))] = value();
        else throw new WayfinderError(`unexpected argument ${quote(arg)}; run "wayfinder replay --help"`);
    }
  }
  if (!a.dataset) throw new WayfinderError(`--dataset <file> is required\n${usage}`);
  return {
    dataset: a.dataset,
    searchers: a.searchers?.length ? a.searchers : ["random"],
    budget: a.budget ?? 250,
    seeds: a.seeds ?? 10,
    firstSeed: a.firstSeed ?? 1,
    batch: a.batch ?? 1,
    json: a.json ?? false,
    runs: a.runs ?? false,
    settings: a.settings,
    loadOptions,
  };
}

/** Split settings among searchers by what each declares; a setting nobody declares is an error. */
export async function settingsBySearcher(searchers: string[], settings: Record<string, unknown>): Promise<Record<string, Record<string, unknown>>> {
  const entries = await Promise.all(searchers.map((s) => getSearcher(s)));
  const out: Record<string, Record<string, unknown>> = {};
  for (const e of entries) out[e.name] = {};
  for (const [k, v] of Object.entries(settings)) {
    const takers = entries.filter((e) => k in e.settings);
    if (takers.length === 0) {
      const known = entries.map((e) => `${e.name}: ${Object.keys(e.settings).join(", ") || "none"}`).join("; ");
      throw new WayfinderError(`no requested searcher has a setting ${quote(k)} (valid settings: ${known})`);
    }
    for (const e of takers) out[e.name][k] = v;
  }
  return out;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage);
    return 0;
  }
  const args = parseReplayArgs(argv);
  const settings = await settingsBySearcher(args.searchers, args.settings);
  const pool = replayPool(loadDataset(args.dataset, args.loadOptions), args.dataset);
  if (args.budget > pool.configs.length) {
    throw new WayfinderError(`--budget ${args.budget} is larger than the pool (${pool.configs.length} rows); a replay cannot evaluate more configurations than were recorded`);
  }
  const reports = await replaySearchers(pool, {
    searchers: args.searchers,
    budget: args.budget,
    seeds: args.seeds,
    firstSeed: args.firstSeed,
    batch: args.batch,
    settings,
    onRun: args.runs ? (r) => console.log(JSON.stringify({ searcher: r.searcher, seed: r.seed, values: r.values, askMs: r.askMs, seconds: r.seconds[r.seconds.length - 1] ?? 0 })) : undefined,
  });
  if (args.runs) return 0;
  if (args.json) for (const r of reports) console.log(JSON.stringify(r));
  else console.log(formatReplayTable(reports));
  return 0;
}
