/**
 * When parallel evaluations make a study's numbers incomparable, and the run should say so. Pure: reads
 * the recorded evaluations (their repeats and the `slot` provenance written by ParallelSlots).
 *
 * The rules (thresholds documented in README/BENCHMARKS.md parallel-noise):
 * 1. repeat noise under parallel load: among evaluations run with --parallel K > 1 and at least 2
 *    successful repeats, the median coefficient of variation of the objective exceeds `cvLimit`
 *    (default 2 %): differences between configurations below about twice that are noise;
 * 2. the default configuration itself was measured in parallel with a CV above `cvLimit`: every
 *    "gain over the default" is uncertain by that much;
 * 3. a study mixes real-time (no -icount) evaluations measured alone and measured beside other VMs: a
 *    neighbour changes real-time values, so the two groups are not on one scale. Under -icount the guest
 *    clock counts instructions and values do not depend on neighbours, so mixing is fine there.
 * A real-time parallel run with 1 repeat cannot check rule 1 at all; parallelStartNotes says so up front.
 */
import type { EvaluationRecord } from "../store/study-store";

export const NOISE_CV_LIMIT = 0.02;

interface SlotProvenance {
  parallel?: number;
}

function parallelism(e: EvaluationRecord): number {
  const slot = (e.provenance as { slot?: SlotProvenance } | undefined)?.slot;
  return typeof slot?.parallel === "number" ? slot.parallel : 1;
}

function realTime(e: EvaluationRecord): boolean {
  return (e.provenance as { icount?: boolean } | undefined)?.icount === false;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function parallelNoiseWarnings(evals: readonly EvaluationRecord[], opts: { cvLimit?: number } = {}): string[] {
  const limit = opts.cvLimit ?? NOISE_CV_LIMIT;
  const ok = evals.filter((e) => e.state === "done" && e.outcome?.ok);
  const parallel = ok.filter((e) => parallelism(e) > 1);
  const out: string[] = [];
  const repeated = parallel.filter((e) => (e.metrics?.repeats ?? 1) >= 2 && Number.isFinite(e.metrics?.objective_cv));
  if (repeated.length > 0) {
    const cv = median(repeated.map((e) => e.metrics!.objective_cv));
    if (cv > limit) {
      const k = Math.max(...repeated.map(parallelism));
      out.push(
        `parallel noise: the median repeat CV of the ${repeated.length} evaluation(s) measured with --parallel ${k} is ${pct(cv)} (limit ${pct(limit)}); ` +
          `differences between configurations below about ${pct(2 * cv)} are noise, not effects. Measure in deterministic mode (-icount) or with --parallel 1.`,
      );
    }
  }
  const def = parallel.find((e) => e.isDefault);
  if (def && (def.metrics?.repeats ?? 1) >= 2 && (def.metrics?.objective_cv ?? 0) > limit) {
    out.push(`parallel noise: the default configuration (evaluation ${def.seq}) was measured beside other VMs with a repeat CV of ${pct(def.metrics!.objective_cv)} (limit ${pct(limit)}): every gain over the default is uncertain by about that much.`);
  }
  const rt = ok.filter(realTime);
  const alone = rt.filter((e) => parallelism(e) === 1);
  const beside = rt.filter((e) => parallelism(e) > 1);
  if (alone.length > 0 && beside.length > 0) {
    out.push(
      `incomparable measurements: ${alone.length} real-time evaluation(s) ran alone and ${beside.length} beside other VMs (--parallel); ` +
        `a neighbour changes real-time values (see BENCHMARKS.md, parallel-noise), so compare within one group, or re-measure the candidates with --configs.`,
    );
  }
  return out;
}

/** Said before a parallel run starts, when the run cannot detect its own parallel noise. */
export function parallelStartNotes(o: { parallel: number; repeats: number; deterministic: boolean }): string[] {
  if (o.parallel < 2 || o.deterministic || o.repeats >= 2) return [];
  return [
    `real-time measurement (no -icount) with --parallel ${o.parallel} and 1 repeat: the interference between slots cannot be estimated from the results; ` +
      `use deterministic mode or --repeats 2 to have it checked (see BENCHMARKS.md, parallel-noise)`,
  ];
}
