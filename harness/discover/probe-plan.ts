/**
 * Which values discovery writes to an integer-like parameter: the default scaled up and down by 10
 * until the kernel refuses (the guest stops a sequence at its first value not accepted). Pure, so the
 * plan is unit-tested; the values are bigint because many sysctls are unsigned long.
 *
 *   integer d > 1:  up 10d, 100d, ...;  down d/10, d/100, ..., 0, -1, -10, ...
 *   integer d < 0:  up d/10, ..., 0, 1, 10, ...;  down 10d, 100d, ...
 *   boolean 0:      up 1, 2, 20, 200, ...;  down -1, -10, ...
 *   boolean 1:      up 2, 20, 200, ...;     down 0, -1, -10, ...
 * A "boolean" that accepts 2 is really an integer, and its up sequence goes on to find the range.
 * Values stay within what a 64-bit sysctl can hold: [-2^63, 2^64 - 1].
 */
export const MIN_PROBE = -(2n ** 63n);
export const MAX_PROBE = 2n ** 64n - 1n;

export interface ProbeSequence {
  direction: "up" | "down";
  values: bigint[];
}

function next(v: bigint, direction: "up" | "down"): bigint {
  if (direction === "up") {
    if (v > 0n) return v * 10n;
    if (v === 0n) return 1n;
    if (v === -1n) return 0n;
    return v / 10n; // truncates toward 0
  }
  if (v < 0n) return v * 10n;
  if (v === 0n) return -1n;
  if (v === 1n) return 0n;
  return v / 10n;
}

function walk(from: bigint, direction: "up" | "down", maxSteps: number): bigint[] {
  const out: bigint[] = [];
  let v = from;
  for (let i = 0; i < maxSteps; i++) {
    v = next(v, direction);
    if (v < MIN_PROBE || v > MAX_PROBE) break;
    out.push(v);
  }
  return out;
}

export function probeSequences(kind: "boolean" | "integer", def: bigint, maxSteps = 20): ProbeSequence[] {
  if (kind === "boolean") {
    const up = def === 0n ? [1n, 2n, ...walk(2n, "up", maxSteps - 2)] : [2n, ...walk(2n, "up", maxSteps - 1)];
    const down = def === 1n ? [0n, ...walk(0n, "down", maxSteps - 1)] : walk(0n, "down", maxSteps);
    return [{ direction: "up", values: up }, { direction: "down", values: down }];
  }
  return [{ direction: "up", values: walk(def, "up", maxSteps) }, { direction: "down", values: walk(def, "down", maxSteps) }];
}
