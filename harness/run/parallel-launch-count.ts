/**
 * How many new evaluations the run loop may start right now, given its free slots and the budget. Pure,
 * so the batch-scheduling rule is tested without VMs. Evaluations left in flight by a killed run are not
 * counted here: they were started within the budget of an earlier session and are always finished.
 */
import type { Budget } from "../store/study-store";

export interface LaunchState {
  budget: Budget;
  /** Slots with no evaluation running. */
  freeSlots: number;
  /** Evaluations finished in the study (all sessions). */
  done: number;
  /** Evaluations running now (this session). */
  running: number;
  /** Running seconds of the study (all sessions). */
  elapsed: number;
}

export function parallelLaunchCount(s: LaunchState): number {
  if (s.freeSlots <= 0) return 0;
  if ("iterations" in s.budget) {
    // Evaluations in flight will finish and count: never start more than the budget leaves.
    return Math.max(0, Math.min(s.freeSlots, s.budget.iterations - s.done - s.running));
  }
  // A duration budget stops starting evaluations once the time is spent; running ones finish.
  return s.elapsed >= s.budget.seconds ? 0 : s.freeSlots;
}
