/**
 * The run loop: ask the searcher, evaluate (r repeats), record, tell — until the budget is spent. With
 * `parallel: K`, K evaluations run at once (one per slot): free slots are filled from one batch ask, so
 * the K configurations in flight are distinct and the searcher knows they are pending together; each
 * result is recorded and told as soon as it arrives.
 *
 * Invariants the loop keeps, so a run killed at any point resumes with nothing lost and nothing evaluated
 * twice:
 * - an evaluation is marked in flight (with its configuration) in the store before it starts, and its
 *   result is committed as soon as it finishes (before anything else is started or told);
 * - on start, the searcher is told every finished evaluation in the store; evaluations left in flight by a
 *   killed run are evaluated again first, under their own position (the store counts the attempts);
 * - evaluation 0 is always the default configuration, so the gain over the default is known;
 * - a configuration already in the store is never evaluated again, even if a searcher proposes it.
 */
import type { Direction } from "../../lib/datasets/types";
import { WayfinderError, quote } from "../../lib/errors";
import type { Config, Observation, Outcome, Searcher } from "../../lib/search/searcher";
import { configKey } from "../store/config-key";
import type { Budget, EvaluationRecord, EvaluationResultRecord, StudyStore } from "../store/study-store";
import { aggregateRepeats, type RepeatResult } from "./aggregate-repeats";
import type { EvaluationReport, EvaluationRequest, Evaluator } from "./evaluator";
import { parallelLaunchCount } from "./parallel-launch-count";

export interface RunProgress {
  /** Position of the evaluation that just finished. */
  seq: number;
  config: Config;
  outcome: Outcome;
  /** Evaluations finished in the study so far (all sessions). */
  done: number;
  budget: Budget;
  /** Running seconds of the study (all sessions). */
  elapsed: number;
  /** Estimated seconds until the budget is spent. */
  remaining: number;
  best?: { seq: number; value: number };
  defaultValue?: number;
  crashRate: number;
  rerun: boolean;
  /** With parallel > 1: the slot the evaluation ran in. */
  slot?: number;
  /** With parallel > 1: evaluations still running after this one finished. */
  running?: number;
}

export type EndReason = "budget" | "exhausted" | "interrupted" | "harness-broken";

export interface RunSummary {
  reason: EndReason | "error";
  session: number;
  evaluatedThisSession: number;
  evaluations: EvaluationRecord[];
  best?: EvaluationRecord;
}

export interface RunStudyOptions {
  store: StudyStore;
  searcher: Searcher;
  /** One repeat of one configuration, run in `slot` (0 .. parallel-1); an Evaluator ignores the slot. */
  evaluate: (request: EvaluationRequest, slot: number) => Promise<EvaluationReport>;
  /** Evaluations in flight at once (default 1). */
  parallel?: number;
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
  /** Called when an evaluation starts (for a log line or a spinner). */
  onStart?: (e: { seq: number; config: Config; rerun: boolean; isDefault: boolean; slot: number }) => void;
  /** Stop after this many harness errors in a row (a broken harness, not bad configurations). Default 5. */
  maxConsecutiveHarnessErrors?: number;
  /** Give up asking after this many proposals in a row that were already evaluated. Default 50. */
  maxDuplicateProposals?: number;
  /** Milliseconds clock, injectable for tests. */
  now?: () => number;
  pid?: number;
  host?: string;
}

function isBetter(a: number, b: number, direction: Direction): boolean {
  return direction === "max" ? a > b : a < b;
}

/** The best successful evaluation (ties: the earliest), or undefined when none succeeded. */
export function bestEvaluation(evals: readonly EvaluationRecord[], direction: Direction): EvaluationRecord | undefined {
  let best: EvaluationRecord | undefined;
  for (const e of evals) {
    if (e.state !== "done" || !e.outcome?.ok) continue;
    if (!best || isBetter(e.outcome.value, (best.outcome as { value: number }).value, direction)) best = e;
  }
  return best;
}

async function runRepeats(
  evaluate: Evaluator,
  config: Config,
  seq: number,
  repeats: number,
  signal: AbortSignal,
): Promise<EvaluationResultRecord | "aborted"> {
  const results: RepeatResult[] = [];
  let last: EvaluationReport | undefined;
  const reports: EvaluationReport[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    if (signal.aborted) return "aborted";
    const t0 = performance.now();
    let report: EvaluationReport;
    try {
      report = await evaluate({ config, seq, repeat, signal });
    } catch (err) {
      if (signal.aborted) return "aborted";
      report = {
        outcome: { ok: false, phase: "harness", evidence: `evaluator threw: ${(err as Error)?.stack ?? String(err)}`.slice(0, 4000) },
      };
    }
    if (signal.aborted) return "aborted";
    if (report.outcome.ok && !Number.isFinite(report.outcome.value)) {
      report = { ...report, outcome: { ok: false, phase: "benchmark", evidence: `objective is not a finite number: ${report.outcome.value}` } };
    }
    reports.push(report);
    last = report;
    results.push({ outcome: report.outcome, metrics: report.metrics ?? {}, seconds: (performance.now() - t0) / 1000 });
    if (!report.outcome.ok) break; // one failure fails the configuration; do not spend more VM time on it
  }
  const agg = aggregateRepeats(results);
  // Timings are summed over repeats (what the evaluation cost); status/provenance come from the last repeat.
  const timings: Record<string, number> = {};
  for (const r of reports) for (const [k, v] of Object.entries(r.timings ?? {})) timings[k] = (timings[k] ?? 0) + v;
  timings.total = results.reduce((a, r) => a + r.seconds, 0);
  return {
    outcome: agg.outcome,
    metrics: agg.metrics,
    repeats: results,
    paramStatus: last?.paramStatus ?? {},
    timings,
    logExcerpt: last?.logExcerpt ?? "",
    provenance: last?.provenance ?? {},
  };
}

/** One evaluation's work: what the loop started, and (once it settles) what came of it. */
interface Running {
  slot: number;
  seq: number;
  config: Config;
  isDefault: boolean;
  rerun: boolean;
  startedAt: number;
}

export async function runStudy(opts: RunStudyOptions): Promise<RunSummary> {
  const { store, searcher, evaluate } = opts;
  const info = store.info();
  const now = opts.now ?? Date.now;
  const outer = opts.signal ?? new AbortController().signal;
  // Stops the evaluations still running when the loop leaves for any reason (an error included), so no
  // VM outlives the loop; an interrupt from outside aborts them the same way.
  const stopAll = new AbortController();
  const forward = () => stopAll.abort();
  if (outer.aborted) stopAll.abort();
  else outer.addEventListener("abort", forward, { once: true });
  const signal = stopAll.signal;
  const maxHarness = opts.maxConsecutiveHarnessErrors ?? 5;
  const maxDup = opts.maxDuplicateProposals ?? 50;
  const slots = opts.parallel ?? 1;
  if (!Number.isInteger(slots) || slots < 1) throw new WayfinderError(`parallel must be a positive integer, got ${quote(slots)}`);

  const history = store.evaluations();
  const finished = history.filter((e) => e.state === "done");
  const seen = new Set(history.map((e) => configKey(e.config)));
  // Rebuild the searcher's state from the stored history (it may have proposed none of these in this process).
  if (finished.length > 0) {
    await searcher.tell(finished.map((e): Observation => ({ config: e.config, outcome: e.outcome! })));
  }
  const pending = history.filter((e) => e.state === "in-flight");

  const priorSeconds = store.sessions().reduce((a, s) => a + s.seconds, 0);
  const session = store.beginSession(opts.pid ?? process.pid, opts.host ?? "unknown");
  const t0 = now();
  const elapsed = () => priorSeconds + (now() - t0) / 1000;

  let done = finished.length;
  let failures = finished.filter((e) => !e.outcome!.ok).length;
  let best = bestEvaluation(finished, info.direction);
  let defaultValue = finished.find((e) => e.isDefault && e.outcome!.ok)?.outcome;
  let nextSeq = history.length;
  let evaluatedThisSession = 0;
  let consecutiveHarness = 0;
  let reason: EndReason | undefined;
  /** Set when no further evaluation may start; the running ones are still waited for. */
  let stopStarting: EndReason | undefined;
  const sessionSeconds: number[] = [];
  const freeSlots = Array.from({ length: slots }, (_, i) => i);
  type Settled = { job: Running; result: EvaluationResultRecord | "aborted" } | { job: Running; error: unknown };
  const running = new Map<number, Promise<Settled>>();

  const remaining = (): number => {
    if ("seconds" in info.budget) return Math.max(0, info.budget.seconds - elapsed());
    const per = sessionSeconds.length > 0 ? sessionSeconds.reduce((a, b) => a + b, 0) / sessionSeconds.length : 0;
    return (Math.max(0, info.budget.iterations - done) * per) / Math.min(slots, Math.max(1, info.budget.iterations - done));
  };

  /**
   * Up to `n` configurations never evaluated: asked from the searcher in one batch (so the searcher knows
   * they are all in flight together), re-asking for the shortfall when it proposes something already in
   * the store. Fewer than `n` only when the searcher has nothing more to propose.
   */
  const askFresh = async (n: number): Promise<Config[]> => {
    const out: Config[] = [];
    for (let tries = 0; out.length < n && tries < maxDup; ) {
      const batch = await searcher.ask(n - out.length);
      if (batch.length === 0) break;
      for (const c of batch) {
        const key = configKey(c);
        if (seen.has(key)) {
          tries++;
          // Told as what it is: already evaluated (its stored outcome), so the searcher can move on.
          const prev = history.find((e) => configKey(e.config) === key);
          if (prev?.outcome) await searcher.tell([{ config: c, outcome: prev.outcome }]);
          continue;
        }
        seen.add(key);
        out.push(c);
      }
    }
    return out;
  };

  const start = (job: Running): void => {
    store.markInFlight(job.seq, job.config, { session, isDefault: job.isDefault });
    opts.onStart?.({ seq: job.seq, config: job.config, rerun: job.rerun, isDefault: job.isDefault, slot: job.slot });
    running.set(
      job.slot,
      // Never rejects: a bug below surfaces in the loop (rethrown there), not as an unhandled rejection
      // while the loop is busy asking the searcher.
      runRepeats((req) => evaluate(req, job.slot), job.config, job.seq, info.repeats, signal).then(
        (result): Settled => ({ job, result }),
        (error): Settled => ({ job, error }),
      ),
    );
  };

  /** Fills the free slots: interrupted evaluations first, then the default, then one batch from the searcher. */
  const fill = async (): Promise<void> => {
    while (freeSlots.length > 0 && pending.length > 0) {
      const e = pending.shift()!;
      start({ slot: freeSlots.shift()!, seq: e.seq, config: e.config, isDefault: e.isDefault, rerun: true, startedAt: now() });
    }
    let n = parallelLaunchCount({ budget: info.budget, freeSlots: freeSlots.length, done, running: running.size, elapsed: elapsed() });
    if (n === 0) {
      if (freeSlots.length > 0 && running.size === 0) stopStarting = "budget";
      else if (freeSlots.length > 0 && "seconds" in info.budget && elapsed() >= info.budget.seconds) stopStarting = "budget";
      return;
    }
    if (nextSeq === 0) {
      seen.add(configKey(info.defaultConfig));
      start({ slot: freeSlots.shift()!, seq: nextSeq++, config: info.defaultConfig, isDefault: true, rerun: false, startedAt: now() });
      n--;
    }
    if (n === 0) return;
    const batch = await askFresh(n);
    for (const config of batch) {
      start({ slot: freeSlots.shift()!, seq: nextSeq++, config, isDefault: false, rerun: false, startedAt: now() });
    }
    if (batch.length < n) stopStarting = "exhausted";
  };

  try {
    while (true) {
      if (signal.aborted) reason ??= "interrupted";
      if (!reason && !stopStarting) await fill();
      if (running.size === 0) {
        reason ??= stopStarting ?? "budget";
        break;
      }
      const settled = await Promise.race(running.values());
      const { job } = settled;
      running.delete(job.slot);
      freeSlots.push(job.slot);
      freeSlots.sort((a, b) => a - b);
      if ("error" in settled) throw settled.error;
      const { result } = settled;
      if (result === "aborted") {
        // Stays in flight in the store: re-run on resume. The others are aborted too; wait for them.
        reason ??= "interrupted";
        continue;
      }
      store.recordResult(job.seq, result);
      const record: EvaluationRecord = { seq: job.seq, config: job.config, state: "done", isDefault: job.isDefault, session, attempts: 1, startedAt: "", ...result };
      history.push(record);
      await searcher.tell([{ config: job.config, outcome: result.outcome }]);
      sessionSeconds.push((now() - job.startedAt) / 1000);
      done++;
      evaluatedThisSession++;
      if (!result.outcome.ok) failures++;
      if (job.isDefault && result.outcome.ok) defaultValue = result.outcome;
      if (result.outcome.ok && (!best || isBetter(result.outcome.value, (best.outcome as { value: number }).value, info.direction))) {
        best = record;
      }
      opts.onProgress?.({
        seq: job.seq, config: job.config, outcome: result.outcome, done, budget: info.budget, elapsed: elapsed(), remaining: remaining(),
        best: best ? { seq: best.seq, value: (best.outcome as { value: number }).value } : undefined,
        defaultValue: defaultValue?.ok ? defaultValue.value : undefined,
        crashRate: failures / done, rerun: job.rerun, ...(slots > 1 ? { slot: job.slot, running: running.size } : {}),
      });
      consecutiveHarness = !result.outcome.ok && result.outcome.phase === "harness" ? consecutiveHarness + 1 : 0;
      // A broken harness stops new evaluations; the ones running finish and are recorded.
      if (consecutiveHarness >= maxHarness) stopStarting ??= "harness-broken";
      if (stopStarting === "harness-broken") reason ??= "harness-broken";
    }
  } finally {
    if (running.size > 0) {
      // Leaving on an error: stop the VMs still running and wait until they are gone. Their evaluations
      // stay in flight in the store and are re-run on resume.
      stopAll.abort();
      await Promise.allSettled(running.values());
    }
    outer.removeEventListener("abort", forward);
    store.endSession(session, reason ?? "error");
  }
  const evaluations = store.evaluations();
  return { reason: reason ?? "error", session, evaluatedThisSession, evaluations, best: bestEvaluation(evaluations, info.direction) };
}
