/**
 * This project's job file: a YAML document describing what to specialise and how. Example:
 *
 *   name: redis-runtime
 *   objective: { metric: throughput, direction: max, unit: req/s }
 *   budget: { iterations: 250, time: 2h }
 *   search: { searcher: bayes, seed: 1 }
 *   vary: [runtime]                    # phases that may vary; others keep their defaults
 *   fixed: { RANDOMIZE_VA_SPACE: 2 }   # pinned by the user (keep ASLR on)
 *   parameters:
 *     - { name: SOMAXCONN, phase: runtime, type: integer, min: 128, max: 65535, scale: log, default: 4096 }
 *     - { name: ALLOCATOR, phase: compile, type: choice, values: [bbuddy, tinyalloc], default: bbuddy }
 *     - { name: ALIGN, phase: compile, type: integer, min: 8, max: 128, power: 2, default: 8,
 *         condition: "ALLOCATOR == 'tinyalloc'" }
 *   target: { ... }                    # how to build/boot/benchmark: defined by the harness
 *
 * The schema is harness/jobs/job.schema.json. loadJob validates the structure against it, then the
 * meaning (conditions naming unknown parameters, pinned values and defaults outside their domains,
 * cycles), and reports each problem as file:line:column with the bad value and what is valid.
 * `target` is passed through untouched; the harness validates it with the same JobSource helper.
 * Its `kind` (linux by default, or unikraft) says which harness reads it (harness/run/evaluator-for-job.ts).
 */
import type { Direction, Phase, Value } from "../../lib/datasets/types";
import { WayfinderError, quote } from "../../lib/errors";
import type { Config } from "../../lib/search/searcher";
import { ConditionSyntaxError, parseCondition } from "../../lib/space/condition";
import type { Parameter } from "../../lib/space/parameter";
import { createSpace, type Space } from "../../lib/space/space";
import { JobSource, type JsonPath } from "./job-source";
import { schemaProblems } from "./schema-errors";

export interface Objective {
  metric: string;
  direction: Direction;
  unit?: string;
  /** Weight in a multi-metric score (default 1). */
  weight: number;
}

/** The kinds of target section the harness runs: a Linux guest (harness/vm) or a Unikraft unikernel (harness/unikraft). */
export const TARGET_KINDS = ["linux", "unikraft"] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface Job {
  name: string;
  description?: string;
  /** One or more metrics; with several, the searched score is their weighted, min-max normalised sum (maximised). */
  objectives: Objective[];
  /** Direction of the searched score: the objective's own with one metric, "max" with several. */
  direction: Direction;
  budget: { iterations?: number; seconds?: number };
  search: { searcher: string; seed: number; batch: number; settings: Record<string, unknown> };
  parameters: Parameter[];
  vary: Phase[];
  fixed: Config;
  space: Space;
  /** The harness's section, as written. */
  target?: Record<string, unknown>;
  /**
   * Which harness the target section is for: `target.kind` as written, "linux" when not given. The
   * schema only requires a string; harness/run/evaluator-for-job.ts rejects kinds not in TARGET_KINDS.
   */
  targetKind: string;
  /** The file with its syntax tree, to report problems in any section at file:line:column. */
  source: JobSource;
}

interface RawParameter {
  name: string;
  type: Parameter["type"];
  phase?: Phase;
  description?: string;
  condition?: string;
  default?: Value;
  [k: string]: unknown;
}

interface RawJob {
  name: string;
  description?: string;
  objective?: Omit<Objective, "weight"> & { weight?: number };
  objectives?: (Omit<Objective, "weight"> & { weight?: number })[];
  budget?: { iterations?: number; time?: string | number };
  search?: { searcher?: string; seed?: number; batch?: number; settings?: Record<string, unknown> };
  vary?: Phase[];
  fixed?: Record<string, Value>;
  parameters: RawParameter[];
  target?: Record<string, unknown>;
}

/** Seconds in a duration such as 3600, "90m", "2h", "1.5d". */
export function parseDuration(v: string | number): number {
  if (typeof v === "number") return v;
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(s|m|h|d)$/.exec(v.trim());
  if (!m) throw new WayfinderError(`duration ${quote(v)} is not valid; expected e.g. 3600, "90m", "2h"`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
}

export function loadJob(file: string): Job {
  return jobFromSource(JobSource.read(file));
}

export function parseJob(text: string, file = "<job>"): Job {
  return jobFromSource(new JobSource(file, text));
}

/** Every problem of a job file, without throwing (empty when valid). */
export function validateJobFile(file: string): string[] {
  try {
    loadJob(file);
    return [];
  } catch (e) {
    if (e instanceof WayfinderError) return e.message.split("\n");
    throw e;
  }
}

export function jobFromSource(source: JobSource): Job {
  const value = source.value();
  const problems = schemaProblems(source, value);
  const raw = value as RawJob;
  if (problems.length === 0 && raw.objective && raw.objectives) {
    problems.push(source.describe(["objectives"], 'give either "objective" or "objectives", not both', { key: true }));
  }
  if (problems.length === 0 && !raw.objective && !raw.objectives) {
    problems.push(source.describe([], 'missing "objective" (e.g. { metric: throughput, direction: max })'));
  }
  if (problems.length) throw new WayfinderError(problems.join("\n"), { problems });

  const parameters = raw.parameters.map((p, i) => toParameter(source, p, i));
  let space: Space;
  try {
    space = createSpace(parameters, { fixed: raw.fixed, vary: raw.vary });
  } catch (e) {
    if (e instanceof WayfinderError && Array.isArray(e.details.path)) {
      const path = e.details.path as JsonPath;
      throw source.error(path, e.message, { key: path[0] === "fixed" && path.length === 2 && /not a parameter/.test(e.message) });
    }
    throw e;
  }
  const objectives = (raw.objectives ?? [raw.objective!]).map((o) => ({ ...o, weight: o.weight ?? 1 }));
  const budget: Job["budget"] = {};
  if (raw.budget?.iterations !== undefined) budget.iterations = raw.budget.iterations;
  if (raw.budget?.time !== undefined) budget.seconds = parseDuration(raw.budget.time);
  return {
    name: raw.name,
    description: raw.description,
    objectives,
    direction: objectives.length === 1 ? objectives[0].direction : "max",
    budget,
    search: { searcher: raw.search?.searcher ?? "bayes", seed: raw.search?.seed ?? 1, batch: raw.search?.batch ?? 1, settings: raw.search?.settings ?? {} },
    parameters,
    vary: space.vary.slice(),
    fixed: { ...space.fixed },
    space,
    target: raw.target,
    targetKind: typeof raw.target?.kind === "string" ? raw.target.kind : "linux",
    source,
  };
}

function toParameter(source: JobSource, raw: RawParameter, i: number): Parameter {
  const { condition, phase, ...rest } = raw;
  const p = { ...rest, phase: phase ?? "runtime" } as Parameter;
  if (condition !== undefined) {
    try {
      p.condition = parseCondition(condition);
    } catch (e) {
      if (e instanceof ConditionSyntaxError) {
        const path = ["parameters", i, "condition"];
        throw source.error(path, `condition ${quote(condition)} is not valid: ${e.message}; expected e.g. "ALLOCATOR == 'tinyalloc'"`, {
          offset: source.valueStart(path) + e.offset,
        });
      }
      throw e;
    }
  }
  return p;
}
