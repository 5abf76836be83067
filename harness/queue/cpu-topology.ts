/**
 * Which CPUs evaluation slots run on, so parallel VMs disturb each other as little as this machine
 * allows: one slot per physical core (never two SMT siblings while a free core remains), spread over
 * NUMA nodes and last-level-cache domains first. The plan is pure (tested on made-up topologies); the
 * reader turns Linux sysfs into the topology. The report says what isolation each slot actually got.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { WayfinderError } from "../../lib/errors";

export interface CpuInfo {
  cpu: number;
  /** Physical core, unique across packages ("package:core_id"). */
  core: string;
  node: number;
  /** Last-level cache domain (the shared_cpu_list of the highest cache level), e.g. "0-1". */
  llc: string;
  /** The level-2 cache domain when sysfs lists one below the last level, e.g. "0" (private) or "0-1". */
  l2?: string;
}

export interface SlotPlan {
  slot: number;
  cpu: number;
  core: string;
  node: number;
  llc: string;
  l2?: string;
  /** Other slots sharing the level-2 cache (when known and not the last level). */
  sharesL2With: number[];
  /** Other slots pinned to the very same CPU (only when more slots than CPUs were allowed): time-sliced. */
  sharesCpuWith: number[];
  /** Other slots on the same physical core (SMT siblings, or the same CPU): the worst kind of neighbour. */
  sharesCoreWith: number[];
  sharesLlcWith: number[];
  sharesNodeWith: number[];
}

/** Parse a Linux CPU list such as "0-3,8,10-11". */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(",").filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new WayfinderError(`bad CPU list ${JSON.stringify(text)}: expected e.g. "0-3,8"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let c = lo; c <= hi; c++) out.push(c);
  }
  return out;
}

const read = (p: string) => readFileSync(p, "utf8").trim();

/** The CPUs this process may run on, with their core, NUMA node and last-level cache (Linux sysfs). */
export function readCpuTopology(sys = "/sys/devices/system", status = "/proc/self/status"): CpuInfo[] {
  const allowedLine = existsSync(status) ? /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(status, "utf8")) : null;
  const online = parseCpuList(read(join(sys, "cpu/online")));
  const allowed = new Set(allowedLine ? parseCpuList(allowedLine[1]) : online);
  const nodeOf = new Map<number, number>();
  const nodeDir = join(sys, "node");
  if (existsSync(nodeDir)) {
    for (const n of readdirSync(nodeDir).filter((d) => /^node\d+$/.test(d))) {
      for (const c of parseCpuList(read(join(nodeDir, n, "cpulist")))) nodeOf.set(c, Number(n.slice(4)));
    }
  }
  return online
    .filter((c) => allowed.has(c))
    .map((cpu) => {
      const dir = join(sys, "cpu", `cpu${cpu}`);
      const pkg = read(join(dir, "topology/physical_package_id"));
      const coreId = read(join(dir, "topology/core_id"));
      let llc = String(cpu);
      let level = -1;
      let l2: string | undefined;
      const cacheDir = join(dir, "cache");
      if (existsSync(cacheDir)) {
        for (const idx of readdirSync(cacheDir).filter((d) => /^index\d+$/.test(d))) {
          const l = Number(read(join(cacheDir, idx, "level")));
          if (l === 2) l2 = read(join(cacheDir, idx, "shared_cpu_list"));
          if (l > level) {
            level = l;
            llc = read(join(cacheDir, idx, "shared_cpu_list"));
          }
        }
      }
      // L2 is reported on its own only when it is not already the last level.
      return { cpu, core: `${pkg}:${coreId}`, node: nodeOf.get(cpu) ?? 0, llc, ...(l2 !== undefined && level > 2 ? { l2 } : {}) };
    });
}

function lexLess(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** Distinct physical cores among `cpus` (SMT siblings count once). */
export function physicalCoreCount(cpus: readonly CpuInfo[]): number {
  return new Set(cpus.map((c) => c.core)).size;
}

export interface PlanOptions {
  /**
   * Allow more slots than CPUs: the extra slots share CPUs (least-shared first) and the report says so.
   * Without it, more slots than CPUs is an error naming the flag to lower.
   */
  allowShared?: boolean;
  /** The option that sets the slot count, for the error message (default --slots). */
  flag?: string;
}

/**
 * Choose a CPU for each of `k` slots. Greedy: each next slot takes the CPU whose core, L2 domain (when
 * known), last-level cache domain and node are least used so far (in that order of importance); ties go to the lowest CPU number. A CPU is
 * reused only when every CPU already has a slot (and `allowShared` is set).
 */
export function planSlots(cpus: readonly CpuInfo[], k: number, opts: PlanOptions = {}): SlotPlan[] {
  const flag = opts.flag ?? "--slots";
  if (!Number.isInteger(k) || k < 1) throw new WayfinderError(`${flag} must be a positive integer, got ${k}`);
  if (cpus.length === 0) throw new WayfinderError("no CPU is available to this process (empty Cpus_allowed_list)");
  if (k > cpus.length && !opts.allowShared) {
    throw new WayfinderError(`cannot pin ${k} slots: this process may run on ${cpus.length} CPU(s) (${cpus.map((c) => c.cpu).join(",")}); use ${flag} ${cpus.length} or fewer`);
  }
  const chosen: CpuInfo[] = [];
  const count = (key: (c: CpuInfo) => string | number, v: string | number) => chosen.filter((c) => key(c) === v).length;
  for (let i = 0; i < k; i++) {
    let best: CpuInfo | undefined;
    let bestScore: number[] = [];
    for (const c of cpus) {
      if (chosen.includes(c) && i < cpus.length) continue;
      const score = [count((x) => x.cpu, c.cpu), count((x) => x.core, c.core), count((x) => x.l2 ?? "", c.l2 ?? ""), count((x) => x.llc, c.llc), count((x) => x.node, c.node), c.cpu];
      if (!best || lexLess(score, bestScore)) {
        best = c;
        bestScore = score;
      }
    }
    chosen.push(best!);
  }
  return chosen.map((c, slot) => ({
    slot,
    cpu: c.cpu,
    core: c.core,
    node: c.node,
    llc: c.llc,
    ...(c.l2 !== undefined ? { l2: c.l2 } : {}),
    sharesL2With: c.l2 === undefined ? [] : chosen.flatMap((o, j) => (j !== slot && o.l2 === c.l2 ? [j] : [])),
    sharesCpuWith: chosen.flatMap((o, j) => (j !== slot && o.cpu === c.cpu ? [j] : [])),
    sharesCoreWith: chosen.flatMap((o, j) => (j !== slot && o.core === c.core ? [j] : [])),
    sharesLlcWith: chosen.flatMap((o, j) => (j !== slot && o.llc === c.llc ? [j] : [])),
    sharesNodeWith: chosen.flatMap((o, j) => (j !== slot && o.node === c.node ? [j] : [])),
  }));
}

/** One line per slot saying what it is isolated from and what it still shares. */
export function isolationReport(plan: readonly SlotPlan[]): string[] {
  return plan.map((s) => {
    const smt = s.sharesCoreWith.filter((j) => !s.sharesCpuWith.includes(j));
    const shares = [
      s.sharesCpuWith.length ? `CPU ${s.cpu} itself (time-sliced, more slots than CPUs) with slot ${s.sharesCpuWith.join(", ")}` : "",
      smt.length ? `its physical core (SMT) with slot ${smt.join(", ")}` : "",
      s.sharesL2With.filter((j) => !s.sharesCoreWith.includes(j)).length ? `L2 cache ${s.l2} with slot ${s.sharesL2With.filter((j) => !s.sharesCoreWith.includes(j)).join(", ")}` : "",
      s.sharesLlcWith.length ? `last-level cache ${s.llc} with slot ${s.sharesLlcWith.join(", ")}` : "",
      s.sharesNodeWith.length ? `NUMA node ${s.node} (memory bandwidth) with slot ${s.sharesNodeWith.join(", ")}` : "",
    ].filter(Boolean);
    const l2 = s.l2 !== undefined ? `, L2 ${s.l2}${s.sharesL2With.length ? "" : " private"}` : "";
    return `slot ${s.slot}: CPU ${s.cpu} (core ${s.core}, NUMA node ${s.node}${l2}, LLC ${s.llc})` + (shares.length ? `; shares ${shares.join("; ")}` : "; isolated from the other slots");
  });
}
