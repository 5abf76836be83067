/**
 * `wayfinder discover`: find the runtime configuration space of a kernel by booting it (see
 * harness/discover). Writes a job file whose space is what was found, and prints a summary by type.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeBenchmarkSection } from "../../../lib/bench/section";
import { WayfinderError, quote } from "../../../lib/errors";
import { REPO_ROOT } from "../../build/kernel-source";
import { discoverRuntime, spaceJobText, summarizeDiscovery, type DiscoverySummary } from "../../discover";

export const summary = "boot a kernel, list its /proc/sys (and /sys) parameters, type them, probe integer ranges; write a job space";

const usage = `usage: wayfinder discover [--kernel <bzImage> | --package <debian kernel package>] [--only <dir>]... [--sys <dir>]...
                         [--out space.yaml] [--template job.yaml] [--json] [--no-probe] [--max-steps N]
                         [--memory MiB] [--max-boots N] [--write]

Boots the guest (default: Debian's cloud kernel) once to list the files root may write under /proc/sys
(or only the --only directories under it) and the --sys subtrees (e.g. --sys /sys/kernel/mm), and reads
each default. Types: 0/1 boolean, other integers integer, several numbers a tuple (kept whole, fixed),
sysfs "a [b] c" a choice, anything else a fixed string, unreadable files write-only. Integer ranges are
probed inside the guest, scaling the default up and down by 10 until a write is rejected, reads back
differently or the guest dies; a probe that kills the guest is recorded as a crash bound and discovery
reboots and carries on.

--out       write a job file whose space is the booleans, probed integers and choices (others are listed
            in its header); default objective: the guest's memory footprint
--template  keep the objective, budget, search and target of this job file; its runtime parameters are
            replaced by the discovered ones
--json      print the summary as JSON: { kernel, roots, types: { boolean, integer, tuple, choice, string,
            write-only, fixed-integer, total }, inSpace, probes: { total, accepted, rejected, differs,
            crashed }, boots, notProbed, timings: { listS, probeS, totalS }, crashes, errno }
--write     record the figures in BENCHMARKS.md (section discovery) with this command line`;

interface Flags {
  values: Map<string, string[]>;
  switches: Set<string>;
}

function parse(argv: string[]): Flags {
  const valued = ["--kernel", "--package", "--only", "--sys", "--out", "--template", "--max-steps", "--memory", "--max-boots"];
  const switches = ["--json", "--no-probe", "--write"];
  const f: Flags = { values: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (switches.includes(a)) f.switches.add(a);
    else if (valued.includes(a)) {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new WayfinderError(`${a} needs a value; see wayfinder discover --help`);
      f.values.set(a, [...(f.values.get(a) ?? []), v]);
    } else throw new WayfinderError(`unknown argument ${quote(a)} for wayfinder discover; valid: ${[...valued, ...switches].join(", ")}`);
  }
  return f;
}

function positiveInt(f: Flags, name: string): number | undefined {
  const v = f.values.get(name)?.at(-1);
  if (v === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(v)) throw new WayfinderError(`${name} ${quote(v)} is not valid; expected a positive integer`);
  return Number(v);
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage);
    return 0;
  }
  const f = parse(argv);
  const kernel = f.values.get("--kernel")?.at(-1);
  const pkg = f.values.get("--package")?.at(-1);
  if (kernel && pkg) throw new WayfinderError("give either --kernel (your own image) or --package (a Debian kernel package), not both");
  if (kernel && !existsSync(kernel)) throw new WayfinderError(`--kernel ${quote(kernel)} does not exist`);
  const template = f.values.get("--template")?.at(-1);
  if (template && !existsSync(template)) throw new WayfinderError(`--template ${quote(template)} does not exist`);
  const only = f.values.get("--only") ?? [];
  for (const o of only) if (!/^\/proc\/sys(\/|$)/.test(o)) throw new WayfinderError(`--only ${quote(o)} is not valid: give /proc/sys or a directory under it such as /proc/sys/vm`);
  const sys = f.values.get("--sys") ?? [];
  for (const s of sys) if (!/^\/sys\/./.test(s)) throw new WayfinderError(`--sys ${quote(s)} is not valid: give a /sys subtree such as /sys/kernel/mm`);
  const roots = [...(only.length ? only : ["/proc/sys"]), ...sys];
  const json = f.switches.has("--json");

  const result = await discoverRuntime({
    roots, kernel, kernelPackage: pkg, probe: !f.switches.has("--no-probe"), maxSteps: positiveInt(f, "--max-steps"),
    memoryMiB: positiveInt(f, "--memory"), maxBoots: positiveInt(f, "--max-boots"), onNote: (n) => console.error(n),
  });
  const s = summarizeDiscovery(result);
  const command = ["wayfinder", "discover", ...argv].join(" ");
  const out = f.values.get("--out")?.at(-1);
  if (out) {
    writeFileSync(out, spaceJobText(result, {
      kernel: kernel ? { path: kernel } : { package: pkg }, command,
      ...(template ? { template: { text: readFileSync(template, "utf8"), file: template } } : {}),
    }));
    console.error(`wrote ${out} (${s.inSpace} parameters in the space)`);
  }
  if (json) console.log(JSON.stringify(s));
  else console.log(summaryText(s));
  if (f.switches.has("--write")) {
    writeBenchmarkSection(join(REPO_ROOT, "BENCHMARKS.md"), "discovery", benchmarkText(s, command, result.accel, result.unrestorable));
    console.error("BENCHMARKS.md section discovery updated");
  }
  return 0;
}

function summaryText(s: DiscoverySummary): string {
  const t = s.types;
  return [
    `runtime space of ${s.kernel} under ${s.roots.join(", ")}`,
    `  writable files  ${t.total}`,
    `  boolean         ${t.boolean}`,
    `  integer         ${t.integer}`,
    `  tuple           ${t.tuple}`,
    `  choice          ${t.choice}`,
    `  string          ${t.string}`,
    `  write-only      ${t["write-only"]}`,
    `  fixed integer   ${t["fixed-integer"]}  (no value but the default accepted)`,
    `  in the space    ${s.inSpace}`,
    `probes ${s.probes.total}: ${s.probes.accepted} accepted, ${s.probes.rejected} rejected (${Object.entries(s.errno).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}), ${s.probes.differs} read back differently, ${s.probes.crashed} crashed the guest`,
    ...s.crashes.map((c) => `  crash: ${c}`),
    `${s.boots} boots, ${s.timings.totalS} s (listing ${s.timings.listS} s, probing ${s.timings.probeS} s)${s.notProbed ? `; ${s.notProbed} probes not made (boot limit)` : ""}`,
  ].join("\n");
}

function benchmarkText(s: DiscoverySummary, command: string, accel: string, unrestorable: string[]): string {
  const t = s.types;
  return [
    "## Runtime space discovery",
    "",
    `Command: \`${command}\` (${accel.toUpperCase()}, ${new Date().toISOString().slice(0, 10)}; the machine is shared, wall times vary).`,
    "",
    `Kernel: ${s.kernel}; roots: ${s.roots.join(", ")}.`,
    "",
    "| writable files | boolean | integer | tuple | choice | string | write-only | integer, only default accepted | in the space |",
    "|---|---|---|---|---|---|---|---|---|",
    `| ${t.total} | ${t.boolean} | ${t.integer} | ${t.tuple} | ${t.choice} | ${t.string} | ${t["write-only"]} | ${t["fixed-integer"]} | ${s.inSpace} |`,
    "",
    `Probes: ${s.probes.total} (${s.probes.accepted} accepted, ${s.probes.rejected} rejected, ${s.probes.differs} read back differently, ${s.probes.crashed} crashed the guest) in ${s.boots} boots; ` +
      `wall time ${s.timings.totalS} s (listing boot ${s.timings.listS} s, probing ${s.timings.probeS} s)${s.notProbed ? `; ${s.notProbed} probes not made (boot limit)` : ""}.`,
    `Rejections by errno: ${Object.entries(s.errno).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}.`,
    "",
    s.crashes.length ? `Probes that crashed the guest (value recorded as a crash bound, discovery rebooted and went on):\n${s.crashes.map((c) => `- ${c}`).join("\n")}` : "No probe crashed the guest.",
    ...(unrestorable.length ? ["", `Defaults the kernel refuses to have written back after a probe: ${unrestorable.join(", ")}.`] : []),
    "",
    "Types are inferred from the default's text (0/1 boolean, other integer, several numbers tuple, sysfs `a [b] c` choice, else string); a boolean that accepts 2 is counted as an integer.",
  ].join("\n");
}
