/**
 * A study as a permutation dataset (lib/datasets/types): one row per finished evaluation, in the shape
 * the analysis notebooks read the paper's pools in, so a harness run is analysed exactly like them.
 * Columns: perm_id (the evaluation's position), the objective (null on failed rows), the crash flag
 * ("crashed"), one column per parameter, the failure phase, whether the row is the default, the repeat spread, and timings in
 * seconds.
 */
import * as aq from "arquero";
import { CRASH_COLUMN } from "../../lib/datasets/build-dataset";
import type { Dataset, ParameterSchema, Phase, Value } from "../../lib/datasets/types";
import type { EvaluationRecord, StudyInfo } from "../store/study-store";

export const TIMING_COLUMNS: Record<string, string> = {
  buildS: "build_s",
  bootS: "boot_s",
  benchmarkS: "benchmark_s",
  total: "total_s",
};

function parameterSchema(name: string, values: Value[], phase?: Phase): ParameterSchema {
  const present = values.map((v) => (v === undefined || v === null ? "" : v));
  const distinct = [...new Set(present.map((v) => (typeof v === "number" ? `n:${v}` : `s:${v}`)))];
  const allInts = present.every((v) => typeof v === "number" && Number.isSafeInteger(v));
  const schema: ParameterSchema = allInts
    ? {
        name, kind: "integer",
        domain: present.length ? [Math.min(...(present as number[])), Math.max(...(present as number[]))] : [],
        distinct: distinct.length, constant: distinct.length <= 1,
      }
    : {
        name, kind: "categorical",
        domain: [...new Set(present.map(String))].sort(),
        distinct: distinct.length, constant: distinct.length <= 1,
      };
  if (phase) schema.phase = phase;
  return schema;
}

export interface StudyDatasetOptions {
  /** Phase of each parameter, from the job's space, recorded in the schema when known. */
  phases?: Record<string, Phase>;
  source: string;
}

export function studyToDataset(info: StudyInfo, evaluations: readonly EvaluationRecord[], opts: StudyDatasetOptions): Dataset {
  const rows = evaluations.filter((e) => e.state === "done");
  const names: string[] = [];
  for (const e of [{ config: info.defaultConfig }, ...rows]) for (const k of Object.keys(e.config)) if (!names.includes(k)) names.push(k);
  const reserved = new Set(["perm_id", info.objective, CRASH_COLUMN, "failure_phase", "is_default", "objective_cv", ...Object.values(TIMING_COLUMNS)]);
  const clash = names.find((n) => reserved.has(n));
  if (clash) throw new Error(`parameter ${clash} has the name of a dataset column the export writes itself`);

  const columns: Record<string, unknown[]> = {
    perm_id: rows.map((e) => e.seq),
    [info.objective]: rows.map((e) => (e.outcome!.ok ? e.outcome!.value : null)),
    [CRASH_COLUMN]: rows.map((e) => !e.outcome!.ok),
  };
  const params: ParameterSchema[] = [];
  for (const n of names) {
    const values = rows.map((e) => (n in e.config ? e.config[n] : ""));
    // A categorical column holds strings, so a mixed column (numbers and "" for an inactive parameter) is text.
    const schema = parameterSchema(n, values, opts.phases?.[n]);
    columns[n] = schema.kind === "integer" ? values : values.map(String);
    params.push(schema);
  }
  columns.failure_phase = rows.map((e) => (e.outcome!.ok ? "" : e.outcome!.phase));
  columns.is_default = rows.map((e) => e.isDefault);
  columns.objective_cv = rows.map((e) => (e.outcome!.ok && Number.isFinite(e.metrics?.objective_cv) ? e.metrics!.objective_cv : null));
  const timingColumns: string[] = [];
  for (const [key, col] of Object.entries(TIMING_COLUMNS)) {
    if (!rows.some((e) => Number.isFinite(e.timings?.[key]))) continue;
    columns[col] = rows.map((e) => (Number.isFinite(e.timings?.[key]) ? e.timings![key] : null));
    timingColumns.push(col);
  }
  return {
    table: aq.table(columns),
    schema: {
      parameters: params,
      objective: { name: info.objective, direction: info.direction, description: `${info.name}: ${info.objective} (mean of ${info.repeats} repeat(s))` },
      crashColumn: CRASH_COLUMN,
      timingColumns,
      idColumn: "perm_id",
      extraColumns: ["failure_phase", "is_default", "objective_cv"],
      provenance: {
        source: opts.source,
        loader: "wayfinder study store",
        app: info.name,
        os: "linux",
        notes: [
          `searcher ${info.searcher}, seed ${info.seed}, ${info.repeats} repeat(s) per evaluation`,
          `perm_id 0 is the default configuration`,
          ...evaluations.filter((e) => e.state !== "done").map((e) => `evaluation ${e.seq} was still in flight and is not exported`),
        ],
      },
    },
  };
}
