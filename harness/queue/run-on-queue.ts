/**
 * The coordinator's run loop for many hosts: ask the searcher for a batch, enqueue it, and as workers
 * record results, tell the searcher and ask again, keeping every worker slot busy until the budget is
 * spent. It keeps the invariants of the single-host loop (harness/run/run-study.ts):
 * - evaluation 0 is the default configuration (when one is given);
 * - a configuration already in the study is never enqueued again;
 * - a coordinator killed at any point resumes with nothing lost: evaluations it had enqueued stay in the
 *   queue (workers go on running them), and on restart the searcher is told every recorded result and
 *   the loop waits for the ones still in flight before counting the budget as spent.
 */
import { hostname } from "node:os";
import type { Direction } from "../../lib/datasets/types";
import type { Config, Observation, Outcome, Searcher } from "../../lib/search/searcher";
import { configKey } from "../store/config-key";
import type { StudyCoordinator } from "./study-coordinator";
import type { StudyTask } from "./task";

export type QueueBudget = { iterations: number } | { seconds: number };

export interface QueueProgress {
  seq: number;
  config: Config;
  outcome: Outcome;
  /** Results recorded in the study so far. */
  done: number;
  inFlight: number;
  best?: { seq: number; value: number };
  /** Which worker produced it (or "reaper" when the evaluation was abandoned). */
  worker: string;
}

export interface RunOnQueueOptions {
  coordinator: StudyCoordinator;
  searcher: Searcher;
  budget: QueueBudget;
  direction: Direction;
  /** Evaluated first as evaluation 0 of a new study. */
  defaultConfig?: Config;
  /** Evaluator kind and request for a configuration. */
  task: (config: Config) => { evaluator: string; request: unknown };
  /** Evaluations kept in flight; default: the slots of the live workers (at least 1). */
  parallel?: number;
  leaseSeconds?: number;
  maxLost?: number;
  signal?: AbortSignal;
  /** Poll period when no notification arrives (default 1000 ms). */
  pollMs?: number;
  /** Give up asking after this many proposals in a row that were already in the study (default 50). */
  maxDuplicateProposals?: number;
  onProgress?: (p: QueueProgress) => void;
  onNote?: (note: string) => void;
}

export interface QueueRunSummary {
  reason: "budget" | "exhausted" | "interrupted";
  session: number;
  /** Results collected by this coordinator session. */
  collected: number;
  enqueued: number;
  tasks: StudyTask[];
}

function better(a: number, b: number, direction: Direction): boolean {
  return direction === "max" ? a > b : a < b;
}

export async function runStudyOnQueue(o: RunOnQueueOptions): Promise<QueueRunSummary> {
  const coord = o.coordinator;
  const note = o.onNote ?? (() => undefined);
  const pollMs = o.pollMs ?? 1000;
  const maxDup = o.maxDuplicateProposals ?? 50;
  const history = await coord.tasks();
  const finished = history.filter((t) => t.result);
  if (finished.length > 0) await o.searcher.tell(finished.map((t) => ({ config: t.config, outcome: t.result!.outcome })));
  const seen = new Set(history.map((t) => configKey(t.config)));
  const inFlight = new Map(history.filter((t) => !t.result).map((t) => [t.id, t]));
  if (inFlight.size > 0) note(`resuming: ${finished.length} results recorded, ${inFlight.size} evaluations still in the queue`);
  let nextSeq = history.reduce((m, t) => Math.max(m, t.seq + 1), 0);
  let done = finished.length;
  let best: { seq: number; value: number } | undefined;
  for (const t of finished) {
    const out = t.result!.outcome;
    if (out.ok && (!best || better(out.value, best.value, o.direction))) best = { seq: t.seq, value: out.value };
  }

  const priorSeconds = "seconds" in o.budget ? await coord.priorSeconds() : 0;
  const session = await coord.beginSession(process.pid, hostname());
  const t0 = Date.now();
  const elapsed = () => priorSeconds + (Date.now() - t0) / 1000;
  let collected = 0;
  let enqueued = 0;
  let exhausted = false;
  let reason: QueueRunSummary["reason"] | undefined;
  let slots = o.parallel ?? 0;
  let lastSlots = 0;
  let lastHousekeeping = Date.now();
  let lastWaitingNote = 0;

  const room = (): number => {
    if ("iterations" in o.budget) return o.budget.iterations - done - inFlight.size;
    return elapsed() < o.budget.seconds ? Infinity : 0;
  };

  try {
    while (true) {
      if (o.signal?.aborted) { reason = "interrupted"; break; }
      if (inFlight.size === 0 && (room() <= 0 || exhausted)) { reason = exhausted && room() > 0 ? "exhausted" : "budget"; break; }

      if (o.parallel === undefined && Date.now() - lastSlots >= 2000) {
        lastSlots = Date.now();
        slots = await coord.liveSlots();
        if (slots === 0 && Date.now() - lastWaitingNote > 30_000) {
          lastWaitingNote = Date.now();
          note(`no live workers; evaluations wait in the queue until one starts ("wayfinder worker --store <url> --slots K")`);
        }
      }
      const want = Math.min(Math.max(1, slots) - inFlight.size, room());
      if (want > 0 && !exhausted) {
        const batch: Array<{ config: Config; isDefault: boolean }> = [];
        if (nextSeq === 0 && o.defaultConfig) {
          batch.push({ config: o.defaultConfig, isDefault: true });
          seen.add(configKey(o.defaultConfig));
        }
        let duplicates = 0;
        while (batch.length < want && duplicates < maxDup) {
          const proposals = await o.searcher.ask(want - batch.length);
          if (proposals.length === 0) { exhausted = true; break; }
          for (const c of proposals) {
            const key = configKey(c);
            if (seen.has(key)) { duplicates++; continue; }
            seen.add(key);
            batch.push({ config: c, isDefault: false });
          }
        }
        if (duplicates >= maxDup) exhausted = true;
        if (batch.length > 0) {
          const items = batch.map((b) => ({ ...o.task(b.config), config: b.config, isDefault: b.isDefault, seq: nextSeq++ }));
          const ids = await coord.enqueue(items, { leaseSeconds: o.leaseSeconds, maxLost: o.maxLost, sessionId: session });
          for (const it of items) {
            const id = ids.get(it.seq)!;
            inFlight.set(id, { id, seq: it.seq, state: "queued", config: it.config, attempt: 0, lost: 0 });
          }
          enqueued += items.length;
        }
        if (exhausted && inFlight.size === 0) continue;
      }

      await coord.waitForResults(pollMs);
      if (Date.now() - lastHousekeeping >= 5000) {
        lastHousekeeping = Date.now();
        const reaped = await coord.reap();
        if (reaped.requeued.length) note(`re-queued evaluations of dead workers (task ids ${reaped.requeued.join(", ")})`);
        await coord.touchSession(session);
      }
      const results = await coord.finished([...inFlight.keys()]);
      if (results.length === 0) continue;
      const observations: Observation[] = [];
      for (const t of results) {
        inFlight.delete(t.id);
        done++;
        collected++;
        const out = t.result!.outcome;
        observations.push({ config: t.config, outcome: out });
        if (out.ok && (!best || better(out.value, best.value, o.direction))) best = { seq: t.seq, value: out.value };
        o.onProgress?.({ seq: t.seq, config: t.config, outcome: out, done, inFlight: inFlight.size, best, worker: t.result!.worker });
      }
      await o.searcher.tell(observations);
    }
  } finally {
    await coord.endSession(session, reason ?? "error").catch(() => undefined);
  }
  return { reason, session, collected, enqueued, tasks: await coord.tasks() };
}
