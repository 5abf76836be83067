/**
 * Strict reader of wrk's report. A run that made no request, answered with non-2xx/3xx statuses, or
 * whose report is missing or repeated a line is an error (the caller classifies it as a benchmark
 * failure), never a number: a throughput of error pages would reward a broken configuration.
 */
import { WayfinderError } from "../../lib/errors";

export interface WrkResult {
  /** Requests per second over the whole run. */
  throughput: number;
  requests: number;
  durationS: number;
  /** Mean latency in milliseconds. */
  latency_avg_ms: number;
  /** Socket errors (connect + read + write + timeout); reported, not fatal (a closed keep-alive counts as a read error). */
  socket_errors: number;
}

const TIME_UNITS: Record<string, number> = { us: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };

export function parseWrkOutput(text: string): WrkResult {
  const one = (re: RegExp, what: string): RegExpExecArray => {
    const all = [...text.matchAll(new RegExp(re.source, "gm"))];
    if (all.length !== 1) throw new WayfinderError(`wrk output: expected one ${what} line, found ${all.length}${excerpt(text)}`);
    return all[0] as RegExpExecArray;
  };
  const rps = one(/^Requests\/sec:\s+([0-9.]+)\s*$/, '"Requests/sec:"');
  const req = one(/^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m|h),/, '"N requests in T"');
  const lat = one(/^\s*Latency\s+([0-9.]+)(us|ms|s|m|h)\s/, '"Latency"');
  const throughput = Number(rps[1]);
  const requests = Number(req[1]);
  const durationS = (Number(req[2]) * TIME_UNITS[req[3]!]!) / 1000;
  const latency = Number(lat[1]) * TIME_UNITS[lat[2]!]!;
  if (![throughput, requests, durationS, latency].every(Number.isFinite)) throw new WayfinderError(`wrk output: a number could not be read${excerpt(text)}`);
  if (requests === 0 || throughput <= 0) throw new WayfinderError(`wrk completed no request (${requests} requests, ${throughput} requests/s): the server did not answer${excerpt(text)}`);
  const non2xx = /^\s*Non-2xx or 3xx responses:\s+(\d+)/m.exec(text);
  if (non2xx && Number(non2xx[1]) > 0) throw new WayfinderError(`wrk: ${non2xx[1]} of ${requests} responses were not 2xx/3xx: the server answered with errors`);
  const sock = /^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/m.exec(text);
  const socket_errors = sock ? sock.slice(1, 5).reduce((a, b) => a + Number(b), 0) : 0;
  return { throughput, requests, durationS, latency_avg_ms: latency, socket_errors };
}

function excerpt(text: string): string {
  const t = text.trim();
  return t ? `:\n${t.length > 600 ? t.slice(0, 600) + "..." : t}` : " (empty output)";
}
