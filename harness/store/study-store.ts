/**
 * What the harness remembers about a study (one job specialised by one searcher), behind an interface
 * small enough to be implemented on SQLite (the default, one file per study) and later on PostgreSQL.
 * Every write is its own transaction and is durable when the call returns: the run loop relies on that
 * to resume a killed run with nothing lost and nothing evaluated twice.
 */
import type { Direction } from "../../lib/datasets/types";
import type { Config, Outcome } from "../../lib/search/searcher";

/** How a requested parameter value fared in the guest (reported by the guest agent, per parameter). */
export interface ParamStatus {
  status: string; // e.g. applied, rejected, missing, mismatch, cmdline, rendered
  requested?: string;
  actual?: string;
  detail?: string;
}

/** The run's stopping rule: a number of evaluations, or wall-clock seconds of running (summed over sessions). */
export type Budget = { iterations: number } | { seconds: number };

/** Everything fixed when a study is created; a resumed run reads it back instead of asking the user. */
export interface StudySpec {
  name: string;
  /** The job file exactly as the user wrote it, and the path it was read from. */
  jobText: string;
  jobPath: string;
  /** The parsed job (plain JSON), kept so `best` and `export` do not depend on the file still existing. */
  job: unknown;
  searcher: string;
  seed: number;
  repeats: number;
  budget: Budget;
  objective: string;
  direction: Direction;
  /** The configuration evaluated first, so the gain over the default is always known. */
  defaultConfig: Config;
}

export interface StudyInfo extends StudySpec {
  createdAt: string;
  formatVersion: number;
}

export type EvaluationState = "in-flight" | "done";

/** What an evaluation produced, as recorded when it finishes. */
export interface EvaluationResultRecord {
  outcome: Outcome;
  /** Aggregated metrics (mean, cv, ... over repeats) plus anything else the evaluator measured. */
  metrics: Record<string, number>;
  /** Per-repeat raw results, in order; a failed repeat appears with its phase. */
  repeats: Array<{ outcome: Outcome; metrics: Record<string, number>; seconds: number }>;
  paramStatus: Record<string, ParamStatus>;
  /** Seconds spent per phase (build, boot, configure, benchmark, total, ...). */
  timings: Record<string, number>;
  /** A bounded excerpt of the console/log, for the engineer reading a failure. */
  logExcerpt: string;
  /** Host, kernel, QEMU version, accelerator, image digests: what someone needs to reproduce it. */
  provenance: Record<string, unknown>;
}

export interface EvaluationRecord extends Partial<EvaluationResultRecord> {
  /** 0-based position in the study; evaluation 0 is the default configuration. */
  seq: number;
  config: Config;
  state: EvaluationState;
  isDefault: boolean;
  session: number;
  /** How many times this evaluation was started: > 1 when a run was killed while it was in flight. */
  attempts: number;
  startedAt: string;
  finishedAt?: string;
}

export interface SessionRecord {
  id: number;
  startedAt: string;
  endedAt?: string;
  /** How the session ended: done (budget spent), interrupted (signal), exhausted (space), or unset when killed. */
  endReason?: string;
  pid: number;
  host: string;
  /** Seconds of running time: from its start to its end, or to its last write when it was killed. */
  seconds: number;
}

export interface StudyEvent {
  at: string;
  session: number | null;
  seq: number | null;
  kind: string;
  detail: string | null;
}

export interface StudyStore {
  /** Where the study lives (a file path for SQLite, a URL for a server). */
  readonly location: string;
  info(): StudyInfo;
  /** Replaces the budget (e.g. `run --resume --budget 40` to extend a finished study). */
  setBudget(budget: Budget): void;
  /** Starts a run session (a fresh run or a resume) and returns its id. */
  beginSession(pid: number, host: string): number;
  endSession(id: number, reason: string): void;
  /** Records that a session was alive now (so a killed session's running time is still known). */
  touchSession(id: number): void;
  sessions(): SessionRecord[];
  /** Durably records that `config` is about to be evaluated as evaluation `seq`, before it starts. */
  markInFlight(seq: number, config: Config, opts: { session: number; isDefault: boolean }): void;
  /** Durably records the result of the in-flight evaluation `seq`. */
  recordResult(seq: number, result: EvaluationResultRecord): void;
  /** All evaluations in order of seq, in-flight ones included. */
  evaluations(): EvaluationRecord[];
  /** The study's event log (session starts and ends, re-runs of interrupted evaluations), oldest first. */
  events(): StudyEvent[];
  close(): void;
}
