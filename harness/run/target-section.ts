/**
 * The job's `target` section as the VM harness's TargetSpec. Interim check until the VM harness
 * exports its own full validator: the sections the evaluator reads must be present, each problem
 * reported at the job file's line and column.
 */
import type { Job } from "../jobs/job";
import type { TargetSpec } from "../vm/target";

const SECTIONS = ["kernel", "image", "vm", "boot", "runtime", "application", "benchmark", "timeouts"] as const;

export function validateTarget(job: Job): TargetSpec {
  const t = job.target as Record<string, unknown>;
  for (const s of SECTIONS) {
    if (typeof t[s] !== "object" || t[s] === null) {
      job.source.fail(["target", s], `the target needs a "${s}" mapping (sections: ${SECTIONS.join(", ")})`);
    }
  }
  return t as unknown as TargetSpec;
}
