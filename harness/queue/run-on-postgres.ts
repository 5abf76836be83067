/**
 * `wayfinder run ... --store postgres://...` (the coordinator of a study run by many hosts): the same
 * study as the SQLite run (a job, a searcher, a seed, a budget, repeats), but evaluations go to the
 * PostgreSQL work queue and are run by `wayfinder worker` processes on any number of hosts. The CLI's
 * run command parses its options as for SQLite and hands over here; nothing boots on this host.
 */
import { WayfinderError, quote } from "../../lib/errors";
import { createSearcher } from "../../lib/search";
import { formatBudget } from "../run/budget";
import { ProgressReporter } from "../run/progress";
import { runnableJobFromText } from "../run/runnable-job";
import type { Budget, StudySpec } from "../store/study-store";
import { redactUrl } from "./connection";
import { runStudyOnQueue, type QueueRunSummary } from "./run-on-queue";
import { StudyCoordinator } from "./study-coordinator";
import type { VmTaskRequest } from "./vm-task-evaluator";

export interface PostgresRunOptions {
  url: string;
  /** Study name in the store; default for a new study: <job>-<searcher>-s<seed>. */
  study?: string;
  /** A new study (as `wayfinder run <job>` builds it); omit to resume `study`. */
  spec?: StudySpec;
  /** On resume: replaces the stored budget. */
  budget?: Budget;
  deterministic?: boolean;
  /** Evaluations in flight; default: the live workers' slots. */
  parallel?: number;
  /** Seconds without a heartbeat after which a worker's evaluation is re-queued (default 120: VM boots are slow). */
  leaseSeconds?: number;
  signal?: AbortSignal;
  out?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
}

export function defaultStudyName(spec: StudySpec): string {
  return `${spec.name}-${spec.searcher}-s${spec.seed}`.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 100);
}

export async function runOnPostgres(o: PostgresRunOptions): Promise<QueueRunSummary & { study: string }> {
  const study = o.study ?? (o.spec ? defaultStudyName(o.spec) : undefined);
  if (!study) throw new WayfinderError("resuming a study in a PostgreSQL store needs its name (--study NAME)");
  const reporter = new ProgressReporter(o.out ?? process.stdout, o.spec?.direction ?? "max");
  const coordinator = await StudyCoordinator.open({
    url: o.url,
    study,
    spec: o.spec,
    mode: o.spec ? "create" : "resume",
    onNote: (n) => reporter.note(`note: ${n}`),
  });
  try {
    let spec = coordinator.spec as StudySpec;
    if (o.budget) spec = await coordinator.updateSpec({ ...spec, budget: o.budget });
    const rj = runnableJobFromText(spec.jobText, spec.jobPath);
    const settings = (spec.job as { searcherSettings?: Record<string, unknown> }).searcherSettings ?? rj.job.search.settings;
    const searcher = await createSearcher(spec.searcher, { space: rj.job.space, direction: spec.direction, seed: spec.seed, settings });
    if (o.parallel !== undefined && !(Number.isInteger(o.parallel) && o.parallel >= 1)) {
      throw new WayfinderError(`--parallel ${quote(o.parallel)} must be a positive integer`);
    }
    reporter.note(
      `study ${study} in ${redactUrl(o.url)}: job ${spec.name}, searcher ${spec.searcher} (seed ${spec.seed}), budget ${formatBudget(spec.budget)}, ` +
        `${spec.repeats} repeat(s); evaluations run on "wayfinder worker --store <url>" hosts`,
    );
    const request: VmTaskRequest = { jobText: spec.jobText, jobPath: spec.jobPath, repeats: spec.repeats, ...(o.deterministic !== undefined ? { deterministic: o.deterministic } : {}) };
    const t0 = Date.now();
    let failures = 0;
    let defaultValue: number | undefined;
    try {
      const summary = await runStudyOnQueue({
        coordinator,
        searcher,
        budget: spec.budget,
        direction: spec.direction,
        defaultConfig: spec.defaultConfig,
        task: () => ({ evaluator: "vm", request }),
        parallel: o.parallel,
        leaseSeconds: o.leaseSeconds ?? 120,
        signal: o.signal,
        onNote: (n) => reporter.note(`note: ${n}`),
        onProgress: (p) => {
          if (!p.outcome.ok) failures++;
          if (p.seq === 0 && p.outcome.ok) defaultValue = p.outcome.value;
          reporter.progress({
            seq: p.seq, config: p.config, outcome: p.outcome, done: p.done, budget: spec.budget,
            elapsed: (Date.now() - t0) / 1000, remaining: 0, best: p.best, defaultValue, crashRate: failures / p.done, rerun: false,
          });
        },
      });
      return { ...summary, study };
    } finally {
      searcher.dispose?.();
      reporter.finish();
    }
  } finally {
    await coordinator.close();
  }
}
