/**
 * The Evaluator a job's target section asks for: `kind: linux` (or no kind) boots a Linux guest through
 * the VM harness (vm-evaluator.ts), `kind: unikraft` builds and boots a Unikraft unikernel from the
 * user's checkout (harness/unikraft). Either way the section is validated first, with problems reported
 * at the job file's line and column, and the returned evaluate() takes the whole configuration.
 */
import { quote } from "../../lib/errors";
import { TARGET_KINDS, type Job, type TargetKind } from "../jobs/job";
import { unikraftEvaluator, validateUnikraftTarget, type UnikraftTarget } from "../unikraft/index";
import type { Evaluator } from "./evaluator";
import { guestConfig, runnableJob, type RunnableJob } from "./runnable-job";
import { vmEvaluator } from "./vm-evaluator";

export interface EvaluatorForJobOptions {
  /** Root of the image/build cache (default: the harness's). */
  cacheDir?: string;
  /** Linux targets: -icount (see vm-evaluator). */
  deterministic?: boolean;
  onNote?: (note: string) => void;
  /** Unikraft targets: the environment that locates the checkout (default process.env). */
  env?: Record<string, string | undefined>;
}

export type JobEvaluator =
  | { kind: "linux"; evaluate: Evaluator; runnable: RunnableJob }
  | { kind: "unikraft"; evaluate: Evaluator; target: UnikraftTarget };

export function evaluatorForJob(job: Job, opts: EvaluatorForJobOptions = {}): JobEvaluator {
  if (!job.target) {
    throw job.source.error([], 'the job has no "target" section saying how to build, boot and benchmark the system; `wayfinder run` needs one');
  }
  const kind = job.targetKind;
  if (!(TARGET_KINDS as readonly string[]).includes(kind)) {
    job.source.fail(["target", "kind"], `target kind ${quote(kind)} is not one this harness runs; expected ${TARGET_KINDS.join(" or ")}`);
  }
  if ((kind as TargetKind) === "unikraft") {
    if (job.objectives.length !== 1) {
      throw job.source.error(["objectives"], `a Unikraft run measures one objective; this job lists ${job.objectives.length}`);
    }
    const target = validateUnikraftTarget(job.target, {
      fail: (path, message) => job.source.fail(["target", ...path], message),
      objective: job.objectives[0]!.metric,
      params: job.parameters.map((p) => ({ name: p.name, phase: p.phase })),
    });
    const evaluate = unikraftEvaluator({
      target,
      parameters: job.parameters,
      objective: job.objectives[0]!.metric,
      ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
      ...(opts.onNote ? { onNote: opts.onNote } : {}),
      ...(opts.env ? { env: opts.env } : {}),
    });
    return { kind: "unikraft", evaluate, target };
  }
  // The VM harness's section has no `kind` key: an explicit "kind: linux" is dropped before it validates.
  const { kind: _kind, ...section } = job.target;
  void _kind;
  const runnable = runnableJob({ ...job, target: section });
  const vm = vmEvaluator({
    target: runnable.target,
    params: runnable.params,
    ...(opts.deterministic !== undefined ? { deterministic: opts.deterministic } : {}),
    ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
    ...(opts.onNote ? { onNote: opts.onNote } : {}),
  });
  return { kind: "linux", runnable, evaluate: (req) => vm({ ...req, config: guestConfig(runnable, req.config) }) };
}
