/**
 * The "vm" task kind: a worker boots the study's VM for the configuration, `repeats` times, exactly as
 * `wayfinder run` does on one host (harness/run), and records the aggregated evaluation. The task carries
 * the job file's verbatim text, so workers need no copy of the job, only the same wayfinder version; the
 * image cache is each host's own.
 */
import { createHash } from "node:crypto";
import { WayfinderError, quote } from "../../lib/errors";
import { aggregateRepeats, type RepeatResult } from "../run/aggregate-repeats";
import type { EvaluationReport } from "../run/evaluator";
import { guestConfig, runnableJobFromText, type RunnableJob } from "../run/runnable-job";
import { vmEvaluator } from "../run/vm-evaluator";
import type { EvaluationResultRecord } from "../store/study-store";
import type { TaskEvaluator } from "./task-evaluator";

/** What the coordinator puts in a "vm" task. */
export interface VmTaskRequest {
  jobText: string;
  jobPath: string;
  repeats: number;
  /** Overrides the job's target.vm.deterministic (the coordinator's --no-deterministic). */
  deterministic?: boolean;
}

export interface VmTaskEvaluatorOptions {
  /** This host's image cache (default: the VM harness's default). */
  cacheDir?: string;
  onNote?: (note: string) => void;
}

function checkRequest(taskId: number, req: unknown): VmTaskRequest {
  const r = req as Partial<VmTaskRequest> | null;
  if (!r || typeof r.jobText !== "string" || typeof r.jobPath !== "string" || !Number.isInteger(r.repeats) || r.repeats! < 1) {
    throw new WayfinderError(`task ${taskId}: a "vm" task needs {jobText, jobPath, repeats >= 1}, got ${quote(JSON.stringify(req))}`);
  }
  return r as VmTaskRequest;
}

export function vmTaskEvaluator(options: VmTaskEvaluatorOptions = {}): TaskEvaluator {
  // Parsing a job is cheap but not free; a worker runs many tasks of few studies.
  const jobs = new Map<string, RunnableJob>();
  return async (task, signal) => {
    const req = checkRequest(task.id, task.request);
    const key = createHash("sha256").update(req.jobPath).update("\0").update(req.jobText).digest("hex");
    let rj = jobs.get(key);
    if (!rj) {
      rj = runnableJobFromText(req.jobText, req.jobPath);
      jobs.set(key, rj);
    }
    const evaluate = vmEvaluator({
      target: rj.target,
      params: rj.params,
      ...(req.deterministic !== undefined ? { deterministic: req.deterministic } : {}),
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
      onNote: options.onNote,
    });
    const startedAt = new Date();
    const repeats: RepeatResult[] = [];
    let last: EvaluationReport | undefined;
    const timings: Record<string, number> = {};
    for (let repeat = 0; repeat < req.repeats; repeat++) {
      const t0 = performance.now();
      const report = await evaluate({ config: guestConfig(rj, task.config), seq: task.seq, repeat, signal });
      last = report;
      repeats.push({ outcome: report.outcome, metrics: report.metrics ?? {}, seconds: (performance.now() - t0) / 1000 });
      for (const [k, v] of Object.entries(report.timings ?? {})) timings[k] = (timings[k] ?? 0) + v;
      if (!report.outcome.ok) break; // as on one host: one failed repeat fails the configuration
    }
    const agg = aggregateRepeats(repeats);
    timings.total = repeats.reduce((a, r) => a + r.seconds, 0);
    const detail: EvaluationResultRecord = {
      outcome: agg.outcome,
      metrics: agg.metrics,
      repeats,
      paramStatus: last?.paramStatus ?? {},
      timings,
      logExcerpt: last?.logExcerpt ?? "",
      provenance: last?.provenance ?? {},
    };
    return { outcome: agg.outcome, detail, startedAt };
  };
}
