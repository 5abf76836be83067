/**
 * Strict reader of `redis-benchmark --csv` (redis 6 two-column rows and redis 7 rows with latency
 * columns). Each test becomes `throughput-<test>` (requests/s) and, when given, `latency-<test>` (mean
 * ms); test names are lower-cased with non-alphanumerics turned into "-" ("LPUSH (needed to benchmark
 * LRANGE)" -> "lpush-needed-to-benchmark-lrange"), matching the original job files' result names
 * (throughput-get, throughput-set, ...). Anything else in the output is an error.
 */
import { WayfinderError, quote } from "../../lib/errors";

export function redisTestMetricName(test: string): string {
  return test.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

export function parseRedisBenchmarkOutput(text: string): Record<string, number> {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
  if (lines.length === 0) throw new WayfinderError("redis-benchmark printed nothing (was --csv given, and did the server answer?)");
  const cells = (line: string, n: number): string[] => {
    const m = [...line.matchAll(/"([^"]*)"(,|$)/g)];
    if (m.map((x) => x[0]).join("") !== line) throw new WayfinderError(`redis-benchmark output line ${n}: ${quote(line)} is not a CSV row of quoted fields (run it with --csv)`);
    return m.map((x) => x[1]!);
  };
  let header: string[] | undefined;
  let start = 0;
  const first = cells(lines[0]!, 1);
  if (first[0] === "test") {
    header = first;
    start = 1;
    if (header[1] !== "rps") throw new WayfinderError(`redis-benchmark header ${quote(lines[0])}: expected "rps" as the second column`);
  }
  const metrics: Record<string, number> = {};
  for (let i = start; i < lines.length; i++) {
    const row = cells(lines[i]!, i + 1);
    if (header ? row.length !== header.length : row.length !== 2) {
      throw new WayfinderError(`redis-benchmark output line ${i + 1}: ${row.length} fields, expected ${header ? header.length : 2}: ${quote(lines[i])}`);
    }
    const name = redisTestMetricName(row[0]!);
    const rps = Number(row[1]);
    if (!name || !Number.isFinite(rps) || row[1] === "") throw new WayfinderError(`redis-benchmark output line ${i + 1}: ${quote(row[1])} is not a number of requests per second`);
    if (rps <= 0) throw new WayfinderError(`redis-benchmark test ${row[0]} completed no request (rps ${row[1]})`);
    if (`throughput-${name}` in metrics) throw new WayfinderError(`redis-benchmark output line ${i + 1}: test ${row[0]} reported twice`);
    metrics[`throughput-${name}`] = rps;
    const latCol = header?.indexOf("avg_latency_ms") ?? -1;
    if (latCol > 0) {
      const lat = Number(row[latCol]);
      if (!Number.isFinite(lat)) throw new WayfinderError(`redis-benchmark output line ${i + 1}: avg_latency_ms ${quote(row[latCol])} is not a number`);
      metrics[`latency-${name}`] = lat;
    }
  }
  if (Object.keys(metrics).length === 0) throw new WayfinderError("redis-benchmark printed a header but no test result");
  return metrics;
}
