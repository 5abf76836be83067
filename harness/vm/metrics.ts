/** Metrics from the benchmark's output: each metric's pattern's first capture group, combined over matches. */
import type { MetricSpec } from "./target";

export function extractMetrics(output: string, specs: MetricSpec[]): { metrics: Record<string, number>; missing: string[] } {
  const metrics: Record<string, number> = {};
  const missing: string[] = [];
  for (const spec of specs) {
    const re = new RegExp(spec.pattern, "gm");
    const values = [...output.matchAll(re)].map((m) => Number(m[1])).filter((v) => Number.isFinite(v));
    if (values.length === 0) {
      missing.push(spec.name);
      continue;
    }
    let v: number;
    switch (spec.combine ?? "mean") {
      case "sum": v = values.reduce((a, b) => a + b, 0); break;
      case "min": v = Math.min(...values); break;
      case "max": v = Math.max(...values); break;
      case "first": v = values[0]; break;
      case "last": v = values[values.length - 1]; break;
      default: v = values.reduce((a, b) => a + b, 0) / values.length;
    }
    metrics[spec.name] = v * (spec.scale ?? 1);
  }
  return { metrics, missing };
}
