/**
 * The run loop: ask the searcher, evaluate (r repeats), record, tell — until the budget is spent.
 *
 * Invariants the loop keeps, so a run killed at any point resumes with nothing lost and nothing evaluated
 * twice:
 * - an evaluation is marked in flight (with its configuration) in the store before it starts, and its
 *   result is committed before the next one starts;
 * - on start, the searcher is told every finished evaluation in the store; evaluations left in flight by a
 *   killed run are evaluated again first, under their own position (the store counts the attempts);
 * - evaluation 0 is always the default configuration, so the gain over the default is known;
 * - a configuration already in the store is never evaluated again, even if a searcher proposes it.
 */
import type { Direction } from "../../lib/datasets/types";
import type { Config, Observation, Outcome, Searcher } from "../../lib/search/searcher";
import { configKey } from "../store/config-key";
import type { Budget, EvaluationRecord, EvaluationResultRecord, StudyStore } from "../store/study-store";
import { aggregateRepeats, type RepeatResult } from "./aggregate-repeats";
import type { EvaluationReport, Evaluator } from "./evaluator";

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
  evaluate: Evaluator;
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
  /** Called when an evaluation starts (for a log line or a spinner). */
  onStart?: (e: { seq: number; config: Config; rerun: boolean; isDefault: boolean }) => void;
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

export async function runStudy(opts: RunStudyOptions): Promise<RunSummary> {
  const { store, searcher, evaluate } = opts;
  const info = store.info();
  const now = opts.now ?? Date.now;
  const signal = opts.signal ?? new AbortController().signal;
  const maxHarness = opts.maxConsecutiveHarnessErrors ?? 5;
  const maxDup = opts.maxDuplicateProposals ?? 50;

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
  const sessionSeconds: number[] = [];

  // Evaluations left in flight by a killed run were already started within the budget: they are finished
  // first, whatever the budget says, so a resumed study never keeps a hole.
  const budgetSpent = (): boolean =>
    pending.length === 0 &&
    ("iterations" in info.budget ? done >= info.budget.iterations : elapsed() >= info.budget.seconds);

  const remaining = (): number => {
    if ("seconds" in info.budget) return Math.max(0, info.budget.seconds - elapsed());
    const per = sessionSeconds.length > 0 ? sessionSeconds.reduce((a, b) => a + b, 0) / sessionSeconds.length : 0;
    return Math.max(0, info.budget.iterations - done) * per;
  };

  try {
    while (true) {
      if (signal.aborted) { reason = "interrupted"; break; }
      if (budgetSpent()) { reason = "budget"; break; }
      let config: Config;
      let seq: number;
      let rerun = false;
      let isDefault = false;
      const interrupted = pending.shift();
      if (interrupted) {
        config = interrupted.config;
        seq = interrupted.seq;
        isDefault = interrupted.isDefault;
        rerun = true;
      } else if (nextSeq === 0) {
        config = info.defaultConfig;
        seq = nextSeq++;
        isDefault = true;
      } else {
        let proposal: Config | undefined;
        for (let tries = 0; tries < maxDup && !proposal; tries++) {
          const [c] = await searcher.ask(1);
          if (!c) break;
          if (seen.has(configKey(c))) {
            // Told as what it is: already evaluated (its stored outcome), so the searcher can move on.
            const prev = history.find((e) => configKey(e.config) === configKey(c));
            if (prev?.outcome) await searcher.tell([{ config: c, outcome: prev.outcome }]);
            continue;
          }
          proposal = c;
        }
        if (!proposal) { reason = "exhausted"; break; }
        config = proposal;
        seq = nextSeq++;
      }
      seen.add(configKey(config));
      store.markInFlight(seq, config, { session, isDefault });
      opts.onStart?.({ seq, config, rerun, isDefault });
      const started = now();
      const result = await runRepeats(evaluate, config, seq, info.repeats, signal);
      if (result === "aborted") { reason = "interrupted"; break; } // stays in flight: re-run on resume
      store.recordResult(seq, result);
      const record: EvaluationRecord = { seq, config, state: "done", isDefault, session, attempts: 1, startedAt: "", ...result };
      history.push(record);
      await searcher.tell([{ config, outcome: result.outcome }]);
      sessionSeconds.push((now() - started) / 1000);
      done++;
      evaluatedThisSession++;
      if (!result.outcome.ok) failures++;
      if (isDefault && result.outcome.ok) defaultValue = result.outcome;
      if (result.outcome.ok && (!best || isBetter(result.outcome.value, (best.outcome as { value: number }).value, info.direction))) {
        best = record;
      }
      opts.onProgress?.({
        seq, config, outcome: result.outcome, done, budget: info.budget, elapsed: elapsed(), remaining: remaining(),
        best: best ? { seq: best.seq, value: (best.outcome as { value: number }).value } : undefined,
        defaultValue: defaultValue?.ok ? defaultValue.value : undefined,
        crashRate: failures / done, rerun,
      });
      consecutiveHarness = !result.outcome.ok && result.outcome.phase === "harness" ? consecutiveHarness + 1 : 0;
      if (consecutiveHarness >= maxHarness) { reason = "harness-broken"; break; }
    }
  } finally {
    store.endSession(session, reason ?? "error");
  }
  const evaluations = store.evaluations();
  return { reason: reason ?? "error", session, evaluatedThisSession, evaluations, best: bestEvaluation(evaluations, info.direction) };
}
