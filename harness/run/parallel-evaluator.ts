/**
 * The run loop's evaluator for `--parallel K` on one host: K pinned slot processes (ParallelSlots) on
 * the CPUs planSlots chose, or, for K = 1, the VM evaluator in this process exactly as a sequential run
 * has always used it. Shared by `wayfinder run` and `wayfinder bench parallel-noise`, so the benchmark
 * measures the same machinery users run.
 */
import { resolve } from "node:path";
import { WayfinderError } from "../../lib/errors";
import { parseJob } from "../jobs/job";
import { isolationReport, physicalCoreCount, planSlots, readCpuTopology, type SlotPlan } from "../queue/cpu-topology";
import { buildImage } from "../vm/image-builder";
import { defaultCacheDir } from "../vm/cache-dir";
import type { EvaluationReport, EvaluationRequest } from "./evaluator";
import { evaluatorForJob } from "./evaluator-for-job";
import { ParallelSlots } from "./parallel-slots";
import { guestConfig, runnableJobFromText } from "./runnable-job";
import { vmEvaluator } from "./vm-evaluator";

export interface ParallelEvaluatorOptions {
  parallel: number;
  jobText: string;
  jobPath: string;
  deterministic?: boolean;
  cacheDir?: string;
  /** Notes from the VM layer (image builds, TCG), with the slot they came from. */
  onNote?: (note: string, slot: number) => void;
}

export interface ParallelEvaluator {
  evaluate(req: EvaluationRequest, slot: number): Promise<EvaluationReport>;
  /** The CPU plan (empty for K = 1: a sequential run is not pinned). */
  plan: SlotPlan[];
  /** One line per slot: CPU, core, NUMA node, LLC and what it shares, with the CPUs the kernel confirmed. */
  isolation: string[];
  /** e.g. more slots than cores. */
  warnings: string[];
  close(): Promise<void>;
}

/** Warnings about a slot plan on a machine: more slots than physical cores means measurements disturb each other. */
export function planWarnings(plan: readonly SlotPlan[], cores: number, cpus: number): string[] {
  const out: string[] = [];
  if (plan.length > cores) {
    out.push(
      `--parallel ${plan.length} exceeds the ${cores} physical core(s) this process may use (${cpus} CPU(s)): ` +
        `slots share ${plan.length > cpus ? "CPUs (time-sliced)" : "cores (SMT siblings)"}, so parallel VMs slow each other down and real-time measurements are not comparable with sequential ones`,
    );
  }
  return out;
}

export async function parallelEvaluator(o: ParallelEvaluatorOptions): Promise<ParallelEvaluator> {
  const job = parseJob(o.jobText, o.jobPath);
  if (job.targetKind === "unikraft") {
    // Slot processes boot Linux guests only (parallel-slot-process.ts builds a RunnableJob); a Unikraft job runs in this process.
    if (o.parallel !== 1) {
      throw new WayfinderError(`--parallel ${o.parallel}: a Unikraft job (target.kind: unikraft) runs one evaluation at a time for now; use --parallel 1`);
    }
    const je = evaluatorForJob(job, {
      ...(o.deterministic !== undefined ? { deterministic: o.deterministic } : {}),
      ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
      onNote: (n) => o.onNote?.(n, 0),
    });
    return { evaluate: (req) => je.evaluate(req), plan: [], isolation: [], warnings: [], close: async () => {} };
  }
  const rj = runnableJobFromText(o.jobText, o.jobPath);
  if (o.parallel === 1) {
    const evaluate = vmEvaluator({
      target: rj.target,
      params: rj.params,
      ...(o.deterministic !== undefined ? { deterministic: o.deterministic } : {}),
      ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
      onNote: (n) => o.onNote?.(n, 0),
    });
    return { evaluate: (req) => evaluate({ ...req, config: guestConfig(rj, req.config) }), plan: [], isolation: [], warnings: [], close: async () => {} };
  }
  const cpus = readCpuTopology();
  const plan = planSlots(cpus, o.parallel, { allowShared: true, flag: "--parallel" });
  const warnings = planWarnings(plan, physicalCoreCount(cpus), cpus.length);
  // Build (or find) the guest image once here, so K slot processes never race to build the same one.
  // (The riscv guest's image is a kernel from target.build plus the static init, which each slot
  // cross-compiles into the cache with an atomic rename: nothing to prepare here.)
  const cacheDir = o.cacheDir ? resolve(o.cacheDir) : defaultCacheDir();
  if (rj.target.vm.arch !== "riscv") buildImage(rj.target, { cacheDir, onNote: (n) => o.onNote?.(n, -1) });
  const slots = await ParallelSlots.start({
    plan, jobText: o.jobText, jobPath: o.jobPath, cacheDir,
    ...(o.deterministic !== undefined ? { deterministic: o.deterministic } : {}),
    onNote: (slot, n) => o.onNote?.(n, slot),
  });
  const confirmed = new Map(slots.processes().map((p) => [p.slot, p]));
  const isolation = isolationReport(plan).map((line, i) => `${line} [slot process ${confirmed.get(i)?.pid}: kernel allows CPUs ${confirmed.get(i)?.cpus}]`);
  return { evaluate: (req, slot) => slots.evaluate(slot, req), plan, isolation, warnings, close: () => slots.close() };
}
