/**
 * The job's `target` section as the VM harness's TargetSpec, validated by the VM harness itself with
 * every problem reported at the job file's line and column.
 */
import type { Job } from "../jobs/job";
import type { TargetSpec } from "../vm/target";
import { validateTarget as validateTargetSection } from "../vm/validate-target";

/** `arch`: the guest architecture the job's build section implies (riscv boots the riscv guest). */
export function targetOfJob(job: Job, arch?: "x86" | "riscv"): TargetSpec {
  return validateTargetSection(job.target, {
    ...(arch ? { arch } : {}),
    fail: (path, message) => job.source.fail(["target", ...path], message),
    objective: job.objectives[0]?.metric,
    params: job.parameters.map((p) => ({ name: p.name, phase: p.phase })),
  });
}
