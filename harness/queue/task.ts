/**
 * What travels through the PostgreSQL work queue: a task is one evaluation of one configuration of one
 * study; a worker claims it (attempt n), runs it and records exactly one result for it.
 */
import type { Config, Outcome } from "../../lib/search/searcher";

/** What the coordinator enqueues for one configuration. */
export interface TaskSpec {
  config: Config;
  /** Evaluator kind a worker must run, e.g. "vm" or "simulated" (see evaluators.ts). */
  evaluator: string;
  /** Everything the evaluator needs besides the configuration (JSON). */
  request: unknown;
}

/** A task as a worker holds it after claiming. */
export interface ClaimedTask {
  id: number;
  studyId: number;
  seq: number;
  /** Fencing token: the result is accepted only for the attempt that currently holds the lease. */
  attempt: number;
  evaluator: string;
  config: Config;
  request: unknown;
  leaseSeconds: number;
}

/** What an evaluator returns; `detail` is the evaluator's full record (logs, timings), stored as JSON. */
export interface TaskResult {
  outcome: Outcome;
  detail?: unknown;
  startedAt?: Date;
}

/**
 * recorded: this call stored the result. duplicate: this attempt's result was already stored (a retry
 * after a lost acknowledgement). rejected: the worker no longer held the task (its lease expired and the
 * task was re-queued), so the result was dropped.
 */
export type RecordStatus = "recorded" | "duplicate" | "rejected";

/** A task as the coordinator sees it, with its result once recorded. */
export interface StudyTask {
  id: number;
  seq: number;
  state: "queued" | "running" | "done" | "cancelled";
  config: Config;
  attempt: number;
  lost: number;
  result?: { outcome: Outcome; detail?: unknown; worker: string; attempt: number };
}
