/**
 * What a worker runs for a claimed task, by the task's evaluator kind. A task names its kind so one
 * worker pool can serve studies of different kinds. Built in:
 * - "simulated": no VM; sleeps the requested time and returns the requested (or a config-derived)
 *   value. It stands in for the VM in the queue tests and benchmarks, and is labelled as such in every
 *   result it produces (detail.simulated = true).
 * Other kinds (the VM evaluator) are registered by whoever can build them, with registerTaskEvaluator.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { WayfinderError, quote } from "../../lib/errors";
import type { FailurePhase } from "../../lib/search/searcher";
import { configKey } from "../store/config-key";
import type { ClaimedTask, TaskResult } from "./task";

export type TaskEvaluator = (task: ClaimedTask, signal: AbortSignal) => Promise<TaskResult>;

const registry = new Map<string, TaskEvaluator>();

export function registerTaskEvaluator(kind: string, evaluator: TaskEvaluator): void {
  registry.set(kind, evaluator);
}

export function taskEvaluatorKinds(): string[] {
  return [...registry.keys()].sort();
}

export function getTaskEvaluator(kind: string): TaskEvaluator | undefined {
  return registry.get(kind);
}

/** Request of a "simulated" task. */
export interface SimulatedRequest {
  /** Simulated evaluation time (default 0). */
  durationMs?: number;
  /** The objective to report; default: a value in [0, 1000) derived from the configuration. */
  value?: number;
  /** Report a failure in this phase instead of a value. */
  failPhase?: FailurePhase;
}

/** FNV-1a of the canonical configuration text, scaled to [0, 1000): the same config gives the same value on every host. */
export function simulatedValue(config: ClaimedTask["config"]): number {
  let h = 0x811c9dc5;
  for (const ch of configKey(config)) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 1_000_000) / 1000;
}

export const simulatedEvaluator: TaskEvaluator = async (task, signal) => {
  const req = (task.request ?? {}) as SimulatedRequest;
  if (typeof req !== "object" || Array.isArray(req)) {
    throw new WayfinderError(`task ${task.id}: a simulated request must be an object, got ${quote(JSON.stringify(req))}`);
  }
  const startedAt = new Date();
  const ms = req.durationMs ?? 0;
  if (!(ms >= 0)) throw new WayfinderError(`task ${task.id}: durationMs must be >= 0, got ${quote(ms)}`);
  if (ms > 0) await sleep(ms, undefined, { signal });
  const detail = { simulated: true, durationMs: ms };
  if (req.failPhase) return { outcome: { ok: false, phase: req.failPhase, evidence: "simulated failure" }, detail, startedAt };
  return { outcome: { ok: true, value: req.value ?? simulatedValue(task.config) }, detail, startedAt };
};

registerTaskEvaluator("simulated", simulatedEvaluator);
