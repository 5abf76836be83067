/**
 * The known files of the Wayfinder paper's artifact (../shared/datasets/wayfinder-ae), recognised by
 * their names, with what each one's columns mean: which column is the objective, its unit and direction,
 * how a crash is marked. Loading such a file needs no options and guesses nothing; any other file needs
 * --objective/--direction/--crash-marker (see load-dataset.ts).
 */
import { resolve } from "node:path";
import type { Direction, Phase } from "./types";

export type ArtifactFamily =
  | "pool"
  | "trace"
  | "timing-log"
  | "results-summary"
  | "feature-importance"
  | "policy-curves"
  | "unicorn-cost";

interface ObjectiveDescription {
  column: string;
  name?: string;
  negate?: boolean;
  unit: string;
  direction: Direction;
  description: string;
}

export interface ArtifactEntry {
  family: ArtifactFamily;
  /** Short name shown in provenance, e.g. "linux-redis pool". */
  label: string;
  /** Matched against the file's path with "/" separators; pools by file name, traces by their folder too. */
  pattern: RegExp;
  app?: string;
  os?: string;
  /** For pools and traces. */
  objective?: ObjectiveDescription;
  crashMarkers?: string[];
  /** Phases of parameters known from their names (Kconfig CONFIG_*, redis.conf REDIS_*); others stay unknown. */
  phases?: Array<{ match: RegExp; phase: Phase }>;
  notes?: string[];
}

const poolNote = "rows are in no particular order (one row = one random configuration)";
const traceNote = "a trace row is the configuration DeepTune chose at that iteration (perm_id = acquisition order); throughput_norm = throughput / the pool's best";

function trace(figure: string, app: string, unit: string, description: string, extra: string[] = []): ArtifactEntry {
  return {
    family: "trace",
    label: `${figure} ${app} DeepTune trace`,
    pattern: new RegExp(`/${figure.replace(/\./g, "\\.")}_[^/]*/data/(?:[^/]+/)?acquisitions(?:_\\d+)?\\.xlsx$`),
    app,
    os: "linux",
    objective: { column: "throughput", unit, direction: "max", description },
    crashMarkers: ["0"],
    notes: [traceNote, ...extra],
  };
}

export const artifactRegistry: readonly ArtifactEntry[] = [
  {
    family: "pool",
    label: "linux-redis pool",
    pattern: /(?:^|\/)linux-redis_3_only_OS_single_core\.xlsx$/,
    app: "redis",
    os: "linux",
    objective: { column: "throughput", unit: "req/s", direction: "max", description: "redis-benchmark throughput (requests per second)" },
    crashMarkers: ["-1"],
    phases: [{ match: /^REDIS_/, phase: "application" }],
    notes: [poolNote],
  },
  {
    family: "pool",
    label: "linux-sqlite pool",
    pattern: /(?:^|\/)linux-sqlite_13_only_OS_random_single_core\.xlsx$/,
    app: "sqlite",
    os: "linux",
    objective: {
      column: "throughput",
      name: "latency",
      unit: "us/op",
      direction: "min",
      description: "SQLite benchmark latency in microseconds per operation (the file calls the column throughput)",
    },
    crashMarkers: ["-1"],
    notes: [poolNote, "the file's throughput column holds microseconds per operation (lower is better); it is named latency here"],
  },
  {
    family: "pool",
    label: "linux-hpc pool",
    pattern: /(?:^|\/)linux-hpc_default_56\.xlsx$/,
    app: "npb",
    os: "linux",
    objective: { column: "throughput", unit: "Mop/s", direction: "max", description: "NAS Parallel Benchmarks score (million operations per second)" },
    crashMarkers: ["0"],
    notes: [poolNote, "a crash is marked by throughput 0"],
  },
  {
    family: "pool",
    label: "linux-riscv pool",
    pattern: /(?:^|\/)linux-riscv\.xlsx$/,
    app: "linux-riscv",
    os: "linux",
    objective: {
      column: "throughput",
      name: "memory",
      negate: true,
      unit: "bytes",
      direction: "min",
      description: "memory used by the booted riscv kernel in bytes (the file stores minus this, formatted like -197,586,944)",
    },
    crashMarkers: ["1"],
    phases: [{ match: /^CONFIG_/, phase: "compile" }],
    notes: [poolNote, "a crash is marked by throughput 1; other throughput values are minus the memory in bytes, so the objective memory = -throughput is minimised"],
  },
  {
    family: "pool",
    label: "unikraft-nginx pool",
    pattern: /(?:^|\/)rand_unikraft-nginx_197\.xlsx$/,
    app: "nginx",
    os: "unikraft",
    objective: { column: "throughput", unit: "req/s", direction: "max", description: "nginx throughput on Unikraft (requests per second)" },
    crashMarkers: [],
    notes: [poolNote, "this pool records no crashes (no crash marker)"],
  },
  trace("fig.6a", "nginx", "req/s", "nginx throughput (requests per second)"),
  trace("fig.6b", "redis", "req/s", "redis-benchmark throughput (requests per second)", [
    "folder linux-redis_sqlite-tl.bk is an old copy of the transfer-learning runs that the paper ignores",
  ]),
  trace("fig.6c", "sqlite", "op/us", "1 / SQLite latency (operations per microsecond)", [
    "SQLite traces store 1/latency, so higher is better here, unlike the sqlite pool",
  ]),
  trace("fig.6d", "npb", "Mop/s", "NAS Parallel Benchmarks score (million operations per second)"),
  trace("fig.10", "linux-riscv", "bytes", "memory saved in bytes = 214761472 - used bytes"),
  trace("fig.11", "nginx", "score", "throughput-memory score minmax(throughput) - minmax(memory) on a Cozart kernel"),
  {
    family: "timing-log",
    label: "DeepTune timing log",
    pattern: /(?:^|\/)(?:n_samples-mem-time(?:_\d+)?|deeptune_samples-mem-time)\.csv$/,
    notes: ["memory = bytes of the DeepTune process; time = seconds of that one update (not cumulative); the first row includes start-up"],
  },
  {
    family: "results-summary",
    label: "DeepTune results summary",
    pattern: /(?:^|\/)results_summary(?:_\d+)?\.csv$/,
    notes: ["no header; the third column is an undocumented score that no figure uses"],
  },
  {
    family: "feature-importance",
    label: "feature importance (Fig. 5)",
    pattern: /(?:^|\/)([a-z]+)_feat_imp\.csv$/,
    notes: ["no header; sorted by importance, descending; importances can be negative"],
  },
  {
    family: "policy-curves",
    label: "Unikraft nginx search policies (Fig. 9)",
    pattern: /(?:^|\/)unikraft-nginx_policy\.csv$/,
    app: "nginx",
    os: "unikraft",
    notes: ["500 iterations, already averaged over 5 runs; *_tm columns are cumulative seconds"],
  },
  {
    family: "unicorn-cost",
    label: "Unicorn cost (Fig. 7)",
    pattern: /(?:^|\/)unikorn_mem-time_vs_it\.csv$/,
    notes: ["Unicorn's cost per number of samples: time in seconds, mem in bytes"],
  },
];

/** The registry entry for a file path (made absolute first, so folder names count), or undefined. */
export function findArtifact(path: string): ArtifactEntry | undefined {
  const p = "/" + resolve(path).replace(/\\/g, "/").replace(/^\/+/, "");
  return artifactRegistry.find((e) => e.pattern.test(p));
}
