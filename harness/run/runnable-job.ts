/**
 * A job file made ready for the VM run loop: its space and objective from harness/jobs, its `target`
 * section as the VM harness reads it, and one binding per parameter saying how it reaches the guest.
 * Compile-time parameters cannot be varied by the VM harness (no kernel builds in the loop): a job that
 * varies one is refused before anything boots; pinned ones are recorded but not sent to the guest.
 */
import type { Config } from "../../lib/search/searcher";
import { parseJob, type Job } from "../jobs/job";
import type { ParamBinding } from "../vm/evaluator";
import type { TargetSpec } from "../vm/target";
import { targetOfJob } from "./target-section";

export interface RunnableJob {
  job: Job;
  target: TargetSpec;
  params: ParamBinding[];
  objective: string;
  direction: Job["direction"];
}

export function runnableJob(job: Job): RunnableJob {
  if (job.objectives.length !== 1) {
    throw job.source.error(["objectives"], `wayfinder run measures one objective; this job lists ${job.objectives.length}`);
  }
  if (!job.target) {
    throw job.source.error([], 'the job has no "target" section saying how to build, boot and benchmark the VM; `wayfinder run` needs one');
  }
  const target = targetOfJob(job);
  const params: ParamBinding[] = [];
  job.parameters.forEach((p, i) => {
    if (p.phase === "compile") {
      if (job.space.isVaried(p.name)) {
        throw job.source.error(["parameters", i, "phase"],
          `parameter ${p.name} is compile-time and varied, but the VM harness does not rebuild kernels; pin it (fixed:) or remove "compile" from vary`);
      }
      return;
    }
    params.push({ name: p.name, phase: p.phase });
  });
  return { job, target, params, objective: job.objectives[0].metric, direction: job.direction };
}

export function runnableJobFromText(text: string, file: string): RunnableJob {
  return runnableJob(parseJob(text, file));
}

/** The part of a configuration the guest receives (compile-time values stay in the record only). */
export function guestConfig(rj: RunnableJob, config: Config): Config {
  const bound = new Set(rj.params.map((p) => p.name));
  const out: Config = {};
  for (const [k, v] of Object.entries(config)) if (bound.has(k)) out[k] = v;
  return out;
}

/** The plain-JSON form of a job kept in the store next to its verbatim text. */
export function jobRecord(job: Job): unknown {
  const { source: _source, space: _space, ...rest } = job;
  void _source;
  void _space;
  return JSON.parse(JSON.stringify(rest));
}
