/**
 * What discovery found, as a job file the runner accepts and as a summary (Table 1's runtime column).
 *
 * Into the space go the parameters with more than one accepted value: booleans (values "1"/"0" as the
 * kernel spells them), integers with their probed range (log scale when it spans three decades or
 * more) and sysfs choices. Strings, tuples, write-only triggers and integers that accepted nothing but
 * their default stay out: writing them back on every evaluation could only fail. They are listed in
 * the file's header comment. Probed bounds beyond 2^53 - 1 are clamped to what a job file's number
 * holds exactly, and said so.
 */
import { isMap, isSeq, parseDocument, type YAMLMap } from "yaml";
import { WayfinderError } from "../../lib/errors";
import type { DiscoveredParameter, DiscoveryResult } from "./discover-runtime";

export interface DiscoverySummary {
  kernel: string;
  roots: string[];
  /** Parameters by kind after probing. */
  types: Record<DiscoveredParameter["kind"], number> & { total: number };
  /** Parameters that went into the space. */
  inSpace: number;
  probes: { total: number; accepted: number; rejected: number; differs: number; crashed: number };
  boots: number;
  notProbed: number;
  timings: DiscoveryResult["timings"];
  /** Probes that killed the guest: path=value (panic|hang|reset). */
  crashes: string[];
  /** Rejections by errno name. */
  errno: Record<string, number>;
}

export function summarizeDiscovery(r: DiscoveryResult): DiscoverySummary {
  const types = { boolean: 0, integer: 0, tuple: 0, choice: 0, string: 0, "write-only": 0, "fixed-integer": 0, total: r.parameters.length };
  for (const p of r.parameters) types[p.kind]++;
  const count = (o: string) => r.probes.filter((p) => p.outcome === o).length;
  const errno: Record<string, number> = {};
  for (const p of r.probes) if (p.errno) errno[p.errno] = (errno[p.errno] ?? 0) + 1;
  return {
    kernel: r.kernel, roots: r.roots, types, inSpace: spaceParameters(r).length,
    probes: { total: r.probes.length, accepted: count("accepted"), rejected: count("rejected"), differs: count("differs"), crashed: count("crashed") },
    boots: r.boots, notProbed: r.notProbed, timings: r.timings,
    crashes: r.probes.filter((p) => p.outcome === "crashed").map((p) => `${p.path}=${p.value} (${p.crash}${p.attributedBy === "order" ? ", by order" : ""})`),
    errno,
  };
}

export interface SpaceParameter {
  name: string;
  /** Set when the dotted name does not map back to the file (sysfs, odd characters). */
  path?: string;
  entry: Record<string, unknown>;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const clamp = (v: bigint) => Number(v > SAFE ? SAFE : v < -SAFE ? -SAFE : v);

/** The job-file name of a discovered file, and whether an explicit path is needed. */
export function parameterName(path: string): { name: string; explicit: boolean } {
  const proc = /^\/proc\/sys\/(.+)$/.exec(path);
  if (proc) {
    const parts = proc[1]!.split("/");
    if (parts.every((c) => /^[A-Za-z0-9_-]+$/.test(c)) && /^[A-Za-z_]/.test(parts[0]!)) return { name: parts.join("."), explicit: false };
    return { name: "proc." + parts.join(".").replace(/[^A-Za-z0-9_.-]/g, "_"), explicit: true };
  }
  return { name: path.slice(1).split("/").join(".").replace(/[^A-Za-z0-9_.-]/g, "_"), explicit: true };
}

export function spaceParameters(r: DiscoveryResult): SpaceParameter[] {
  const out: SpaceParameter[] = [];
  const used = new Set<string>();
  for (const p of r.parameters) {
    let entry: Record<string, unknown> | undefined;
    const t = p.inferred;
    if (p.kind === "boolean" && t.kind === "boolean") {
      entry = { type: "boolean", values: ["1", "0"], default: String(t.default) };
    } else if (p.kind === "integer" && p.min !== undefined && p.max !== undefined && (t.kind === "integer" || t.kind === "boolean")) {
      const min = clamp(p.min);
      const max = clamp(p.max);
      const def = clamp(BigInt(t.default));
      entry = { type: "integer", min, max, default: def };
      if (min >= 0 && max >= 1000 * Math.max(min, 1)) entry.scale = "log";
    } else if (p.kind === "choice" && t.kind === "choice") {
      entry = { type: "choice", values: t.values, default: t.default };
    }
    if (!entry) continue;
    let { name, explicit } = parameterName(p.path);
    for (let k = 2; used.has(name); k++) {
      name = `${parameterName(p.path).name}_${k}`;
      explicit = true;
    }
    used.add(name);
    out.push({ name, ...(explicit ? { path: p.path } : {}), entry: { name, phase: "runtime", ...entry } });
  }
  return out;
}

/** Why a parameter is not in the space, for the header comment. */
function leftOut(p: DiscoveredParameter): string | undefined {
  const t = p.inferred;
  switch (p.kind) {
    case "string": return t.kind === "string" ? `string ${JSON.stringify(t.default.length > 40 ? t.default.slice(0, 37) + "..." : t.default)}` : "string";
    case "tuple": return t.kind === "tuple" ? `tuple ${JSON.stringify(t.default)}` : "tuple";
    case "write-only": return "write-only";
    case "fixed-integer": return `integer ${t.kind === "integer" || t.kind === "boolean" ? String(t.default) : ""}: no other value accepted`;
    default: return undefined;
  }
}

export interface SpaceJobOptions {
  /** Kernel the job boots: the one discovery booted. */
  kernel: { path?: string; package?: string };
  /** A job file (text) whose objective, budget, search and target are kept; its runtime parameters are replaced. */
  template?: { text: string; file: string };
  /** The command that produced the file, for the header. */
  command?: string;
}

/** A job file (YAML text) whose space is the discovered one. */
export function spaceJobText(r: DiscoveryResult, opts: SpaceJobOptions): string {
  const params = spaceParameters(r);
  const s = summarizeDiscovery(r);
  const header = [
    `Runtime space discovered on ${r.kernel} (${r.accel}), roots ${r.roots.join(", ")}${opts.command ? `, by: ${opts.command}` : ""}.`,
    `${s.types.total} writable files: ${Object.entries(s.types).filter(([k]) => k !== "total").map(([k, v]) => `${v} ${k}`).join(", ")}; ${params.length} in the space.`,
    `${s.probes.total} probes in ${s.boots} boots (${s.probes.accepted} accepted, ${s.probes.rejected} rejected, ${s.probes.differs} read back differently, ${s.probes.crashed} crashed the guest).`,
    ...r.parameters.filter((p) => (p.crashUp ?? p.crashDown) !== undefined)
      .map((p) => `crash bound: ${p.path} ${[p.crashUp !== undefined ? `up at ${p.crashUp}` : "", p.crashDown !== undefined ? `down at ${p.crashDown}` : ""].filter(Boolean).join(", ")}`),
    ...r.parameters.filter((p) => p.max !== undefined && p.max > SAFE || p.min !== undefined && p.min < -SAFE).map((p) => `clamped to 2^53-1: ${p.path} accepted [${p.min}, ${p.max}]`),
    "Not in the space (kept at their defaults):",
    ...r.parameters.map((p) => [p.path, leftOut(p)] as const).filter(([, why]) => why).map(([path, why]) => `  ${path}: ${why}`),
  ].map((l) => `# ${l}`.trimEnd()).join("\n");
  const paths = Object.fromEntries(params.filter((p) => p.path).map((p) => [p.name, p.path]));

  if (opts.template) {
    const doc = parseDocument(opts.template.text);
    if (doc.errors.length || !isMap(doc.contents)) throw new WayfinderError(`template ${opts.template.file}: not a YAML mapping${doc.errors[0] ? ` (${doc.errors[0].message})` : ""}`);
    const old = doc.get("parameters");
    const kept = isSeq(old) ? old.items.filter((it) => !(isMap(it) && (it.get("phase") ?? "runtime") === "runtime")) : [];
    const seq = doc.createNode([...kept.map((k) => (k as YAMLMap).toJSON()), ...params.map((p) => p.entry)]);
    doc.set("parameters", seq);
    const vary = doc.get("vary");
    if (isSeq(vary) && !vary.items.some((i) => String((i as { value?: unknown }).value ?? i) === "runtime")) vary.add("runtime");
    if (Object.keys(paths).length) {
      const existing = (doc.getIn(["target", "runtime", "paths"]) as YAMLMap | undefined)?.toJSON?.() ?? {};
      doc.setIn(["target", "runtime", "paths"], doc.createNode({ ...existing, ...paths }));
    }
    return `${header}\n${doc.toString({ lineWidth: 0 })}`;
  }

  const kernel = opts.kernel.path ? `{ path: ${JSON.stringify(opts.kernel.path)} }` : `{ package: ${opts.kernel.package ?? "linux-image-cloud-amd64"} }`;
  const lines = [
    header,
    "# The objective and benchmark below measure the booted guest's memory footprint; to tune an",
    "# application instead, pass --template <your job.yaml> to keep its objective, target and benchmark.",
    "name: discovered-runtime",
    `description: ${JSON.stringify(`runtime parameters discovered under ${r.roots.join(", ")}`)}`,
    "objective: { metric: footprint_kib, direction: min, unit: KiB }",
    "budget: { iterations: 50 }",
    "search: { searcher: random, seed: 1 }",
    "vary: [runtime]",
    "parameters:",
    ...params.map((p) => `  - ${JSON.stringify(p.entry).replace(/"([A-Za-z_][A-Za-z0-9_]*)":/g, "$1: ").replace(/,(?=[a-z"])/g, ", ")}`),
    "target:",
    `  kernel: ${kernel}`,
    "  image: { packages: [], binaries: [] }",
    "  vm: { memoryMiB: 512, cpus: 1, accel: auto, deterministic: true }",
    ...(Object.keys(paths).length ? ["  runtime:", "    paths:", ...Object.entries(paths).map(([k, v]) => `      ${k}: ${v}`)] : []),
    "  benchmark:",
    "    run: awk '/^MemAvailable:/ { print \"footprint_kib\", 524288 - $2 }' /proc/meminfo",
    "    metrics:",
    "      - { name: footprint_kib, pattern: 'footprint_kib (\\d+)', unit: KiB }",
    "  timeouts: { bootS: 180, totalS: 300 }",
    "",
  ];
  return lines.join("\n");
}
