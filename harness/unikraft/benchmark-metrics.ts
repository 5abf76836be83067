/**
 * The metrics a benchmark tool's output yields, by tool: what a job's objective may name, and the one
 * strict entry point turning a tool's output into numbers (errors are WayfinderErrors with the reason).
 */
import { WayfinderError } from "../../lib/errors";
import { extractMetrics } from "../vm/metrics";
import type { MetricSpec } from "../vm/target";
import { parseRedisBenchmarkOutput } from "./parse-redis-benchmark-output";
import { parseWrkOutput } from "./parse-wrk-output";
import type { UnikraftBenchmarkTool } from "./unikraft-target";

/** Fixed metric names of a tool (redis-benchmark's are per test: throughput-<test>, latency-<test>). */
export function benchmarkMetricNames(tool: UnikraftBenchmarkTool): string[] {
  switch (tool) {
    case "wrk": return ["throughput", "latency_avg_ms", "requests", "socket_errors"];
    case "redis-benchmark": return ["throughput-get", "throughput-set", "latency-get", "latency-set"];
    case "console": return [];
  }
}

export function parseBenchmarkOutput(tool: UnikraftBenchmarkTool, output: string, metrics: MetricSpec[] = []): Record<string, number> {
  switch (tool) {
    case "wrk": {
      const r = parseWrkOutput(output);
      return { throughput: r.throughput, latency_avg_ms: r.latency_avg_ms, requests: r.requests, socket_errors: r.socket_errors };
    }
    case "redis-benchmark":
      return parseRedisBenchmarkOutput(output);
    case "console": {
      const r = extractMetrics(output, metrics);
      if (r.missing.length) throw new WayfinderError(`the unikernel's output has no match for metric(s) ${r.missing.join(", ")} (patterns ${metrics.filter((m) => r.missing.includes(m.name)).map((m) => JSON.stringify(m.pattern)).join(", ")})`);
      return r.metrics;
    }
  }
}
