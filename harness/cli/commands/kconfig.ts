/**
 * `wayfinder kconfig count <linux source dir> [--arch x86 | --all] [--json]`: Kconfig symbols by type
 * (Table 1 of the paper). `wayfinder kconfig params <linux source dir> [--tag KNL] [--json]`: the
 * boot-time parameters documented in kernel-parameters.txt and the space entries derived from them.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { KernelBuilder, buildOutcome, ensureKernelSource } from "../../build";
import { benchBuilds } from "../../build/bench-builds";
import { REPO_ROOT } from "../../build/kernel-source";
import { bootCheck, type BootCheckResult } from "../../build/boot-check";
import { writeBenchmarkSection } from "../../../lib/bench/section";
import { WayfinderError, quote } from "../../../lib/errors";
import {
  countKconfigSymbols, kernelParameterSpace, parseKernelParameters, readKconfigTree, type KconfigCounts,
} from "../../../lib/kconfig";

export const summary = "kconfig count|params|build|bench|boot: Kconfig symbols, boot parameters, kernel builds and boots";

const usage = `usage: wayfinder kconfig count <linux source dir> [--arch <SRCARCH> | --all] [--json]
       wayfinder kconfig params <linux source dir> [--tag <TAG>] [--json]
       wayfinder kconfig build <linux source dir> [NAME=value ...] [--base-config FILE] [--arch x86]
                               [--jobs N] [--cache DIR] [--config-only] [--json]
       wayfinder kconfig bench <linux source dir> [--jobs N] [--write]
       wayfinder kconfig boot <kernel image> [--memory MiB] [--repeat N] [--write]

count   symbols by type (bool, tristate, string, hex, int), each symbol once however often it is
        defined; def_bool/def_tristate count as bool/tristate. --arch reads the tree the architecture
        sees from ./Kconfig (default x86); --all reads every Kconfig* file of the source (all
        architectures) except the kconfig tool's test fixtures and Documentation/kbuild examples.
params  entries of Documentation/admin-guide/kernel-parameters.txt: how many, by tag, how many take a
        value, and how many become boot-time space parameters (flags and enumerated formats).
        --tag KNL keeps entries with that tag.
build   a kernel from tinyconfig + the guest's options (or --base-config) + NAME=value options,
        through make olddefconfig; a requested value that does not survive is reported (exit 1),
        as is a failed build with its first error lines. Builds are cached by configuration.
        --config-only stops after olddefconfig. Use "." as source dir to extract and use
        Debian's linux-source-6.1 from the cache.
bench   cold build, incremental rebuilds (PRINTK_TIME, HIGH_RES_TIMERS) and cache hits in a fresh
        build tree; --write records them in BENCHMARKS.md (section kconfig).
boot    boot an image under QEMU (TCG) with a busybox initramfs that prints /proc/meminfo; reports
        boot time and memory footprint (guest RAM - MemAvailable); --write records it in
        BENCHMARKS.md (section kconfig-boot).

The source dir is an extracted Linux tree, e.g. .cache/linux-source-6.1 (created by the tests from
Debian's /usr/src/linux-source-6.1.tar.xz).`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...args] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    console.log(usage);
    return sub === undefined ? 2 : 0;
  }
  const valued: Record<string, string[]> = { count: ["--arch"], params: ["--tag"], build: ["--arch", "--jobs", "--cache", "--base-config"], bench: ["--jobs"], boot: ["--memory", "--repeat"] };
  const switches: Record<string, string[]> = { count: ["--json", "--all"], params: ["--json"], build: ["--json", "--config-only"], bench: ["--write"], boot: ["--write", "--json"] };
  if (!valued[sub]) throw new WayfinderError(`unknown kconfig command ${quote(sub)}; expected count, params, build, bench or boot`);
  const flags = parseFlags(args, valued[sub]!, switches[sub]!);
  const positional = sub === "build" ? flags.positional.filter((a) => !a.includes("=")) : flags.positional;
  if (positional.length !== 1) throw new WayfinderError(`kconfig ${sub} takes one ${sub === "boot" ? "kernel image" : "source directory"}, got ${positional.length}; see wayfinder kconfig --help`);
  if (sub === "boot") return boot(positional[0]!, flags, argv);
  const dir = positional[0]!;
  if (sub === "build") return build(dir === "." ? ensureKernelSource({ onNote: (n) => console.error(n) }) : dir, flags);
  if (sub === "bench") return bench(dir === "." ? ensureKernelSource({ onNote: (n) => console.error(n) }) : dir, flags, argv);
  if (sub === "count") return count(dir, flags.values.get("--arch"), flags.switches.has("--all"), flags.switches.has("--json"));
  return params(dir, flags.values.get("--tag"), flags.switches.has("--json"));
}

function count(dir: string, arch: string | undefined, all: boolean, json: boolean): number {
  if (all && arch) throw new WayfinderError("--all and --arch exclude each other: --all counts every architecture");
  const started = performance.now();
  const tree = readKconfigTree(dir, all ? { all: true } : { arch: arch ?? "x86" });
  const counts = countKconfigSymbols(tree);
  if (json) {
    const { bool, tristate, string, hex, int, total } = counts;
    console.log(JSON.stringify({ bool, tristate, string, hex, int, total }));
    return 0;
  }
  const rows: [string, number][] = [["bool", counts.bool], ["tristate", counts.tristate], ["string", counts.string], ["hex", counts.hex], ["int", counts.int]];
  const lines = [
    `Kconfig symbols in ${tree.root} (${all ? "every Kconfig* file, all architectures" : `ARCH=${arch ?? "x86"}, from ./Kconfig`})`,
    ...rows.map(([k, v]) => `  ${k.padEnd(9)} ${String(v).padStart(6)}`),
    `  ${"total".padEnd(9)} ${String(counts.total).padStart(6)}   (${counts.prompted} with a prompt${typelessNote(counts)})`,
    `  ${tree.files.length} files read in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  ];
  console.log(lines.join("\n"));
  return 0;
}

function typelessNote(c: KconfigCounts): string {
  return c.typeless ? `; ${c.typeless} defined without a type, not counted` : "";
}

function params(dir: string, tag: string | undefined, json: boolean): number {
  const file = join(dir, "Documentation/admin-guide/kernel-parameters.txt");
  if (!existsSync(file)) throw new WayfinderError(`${quote(dir)} has no Documentation/admin-guide/kernel-parameters.txt: not a Linux source tree (or one older than 4.x)`);
  const all = parseKernelParameters(readFileSync(file, "utf8"), file);
  const entries = tag ? all.filter((e) => e.tags.includes(tag)) : all;
  const space = kernelParameterSpace(entries);
  const byTag = new Map<string, number>();
  for (const e of entries) for (const t of e.tags) byTag.set(t, (byTag.get(t) ?? 0) + 1);
  const summaryObj = {
    file, entries: entries.length, distinctNames: new Set(entries.map((e) => e.name)).size,
    takeValue: entries.filter((e) => e.value !== "none").length,
    optionalValue: entries.filter((e) => e.value === "optional").length,
    flags: entries.filter((e) => e.value === "none").length,
    writtenNameEquals: entries.filter((e) => e.syntax.endsWith("=")).length,
    tags: Object.fromEntries([...byTag].sort((a, b) => b[1] - a[1])),
    space: { parameters: space.parameters.length, booleans: space.parameters.filter((p) => p.type === "boolean").length,
      choices: space.parameters.filter((p) => p.type === "choice").length, left: space.left.length },
  };
  if (json) {
    console.log(JSON.stringify({ ...summaryObj, parameters: space.parameters }, null, 2));
    return 0;
  }
  const topTags = [...byTag].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([t, n]) => `${t} ${n}`).join(", ");
  console.log([
    `${file}${tag ? ` (tag ${tag})` : ""}`,
    `  entries            ${summaryObj.entries} (${summaryObj.distinctNames} distinct names)`,
    `  take a value       ${summaryObj.takeValue} (${summaryObj.optionalValue} optional; ${summaryObj.writtenNameEquals} written as a bare "name=")`,
    `  flags              ${summaryObj.flags}`,
    `  most common tags   ${topTags}`,
    `  boot-time space    ${summaryObj.space.parameters} parameters (${summaryObj.space.booleans} flags, ${summaryObj.space.choices} enumerated); ${summaryObj.space.left} need a range or a human`,
  ].join("\n"));
  return 0;
}

async function build(dir: string, flags: Flags): Promise<number> {
  const options: Record<string, string> = {};
  for (const a of flags.positional.filter((x) => x.includes("="))) {
    const [name, ...v] = a.split("=");
    if (!/^(CONFIG_)?[A-Za-z0-9_]+$/.test(name!)) throw new WayfinderError(`${quote(a)}: expected NAME=value with a Kconfig symbol name`);
    options[name!] = v.join("=");
  }
  const jobs = flags.values.get("--jobs");
  if (jobs !== undefined && !/^[1-9]\d*$/.test(jobs)) throw new WayfinderError(`--jobs ${quote(jobs)}: expected a positive integer`);
  const baseFile = flags.values.get("--base-config");
  const builder = new KernelBuilder({
    sourceDir: dir, arch: flags.values.get("--arch") ?? "x86", ...(jobs ? { jobs: Number(jobs) } : {}),
    ...(flags.values.get("--cache") ? { cacheDir: flags.values.get("--cache")! } : {}),
    ...(baseFile ? { base: { kind: "file" as const, path: baseFile } } : {}),
    onNote: (n) => console.error(n),
  });
  const r = flags.switches.has("--config-only") ? await builder.resolve(options) : await builder.build(options);
  const outcome = buildOutcome(r);
  if (flags.switches.has("--json")) console.log(JSON.stringify({ ...r, outcome: outcome ?? { ok: true } }, null, 2));
  else {
    console.log(`${r.status}${r.cacheHit ? ` (cache hit: ${r.cacheHit})` : ""}  request ${r.requestKey}${r.configHash ? `  config ${r.configHash}` : ""}  ${r.timings.totalS} s`);
    if (r.image) console.log(`image   ${r.image} (${r.imageBytes} bytes)${r.compiled !== undefined ? `, ${r.compiled} objects compiled` : ""}`);
    for (const d of r.dropped ?? []) console.log(`dropped ${d.name}=${d.requested} -> ${d.actual ?? "unset"}${d.reason ? `: ${d.reason}` : ""}`);
    for (const c of r.choiceConflicts ?? []) console.log(`conflict ${c.choice}: ${c.members.join(", ")} are all y`);
    for (const l of r.errorLines ?? []) console.log(`error   ${l}`);
    if (r.log) console.log(`log     ${r.log}`);
  }
  return outcome ? 1 : 0;
}

async function bench(dir: string, flags: Flags, argv: string[]): Promise<number> {
  const jobs = flags.values.get("--jobs");
  const rows = await benchBuilds({
    sourceDir: dir, ...(jobs ? { jobs: Number(jobs) } : {}), command: `wayfinder kconfig ${argv.join(" ")}`,
    ...(flags.switches.has("--write") ? { benchmarksFile: join(REPO_ROOT, "BENCHMARKS.md") } : {}),
    onNote: (n) => console.error(n),
  });
  for (const r of rows) console.log(`${r.step.padEnd(60)} ${r.status.padEnd(18)} ${String(r.wallS).padStart(8)} s ${r.compiled ?? ""}`);
  return rows.some((r) => r.status.startsWith("build") || r.status.startsWith("timeout")) ? 1 : 0;
}

async function boot(image: string, flags: Flags, argv: string[]): Promise<number> {
  const int = (name: string, dflt: number) => {
    const v = flags.values.get(name);
    if (v === undefined) return dflt;
    if (!/^[1-9]\d*$/.test(v)) throw new WayfinderError(`${name} ${quote(v)}: expected a positive integer`);
    return Number(v);
  };
  const memoryMiB = int("--memory", 128);
  const repeat = int("--repeat", 1);
  const runs: BootCheckResult[] = [];
  for (let i = 0; i < repeat; i++) {
    runs.push(await bootCheck(image, { memoryMiB }));
    const r = runs[runs.length - 1]!;
    console.error(r.booted ? `boot ${i + 1}: ${r.bootS} s, footprint ${r.footprintKiB} KiB (MemTotal ${r.memTotalKiB}, MemAvailable ${r.memAvailableKiB})` : `boot ${i + 1} failed:\n  ${(r.tail ?? []).join("\n  ")}`);
  }
  const ok = runs.filter((r) => r.booted && r.footprintKiB !== undefined);
  const fp = ok.map((r) => r.footprintKiB!);
  const summary = {
    image, memoryMiB, boots: runs.length, booted: ok.length, bootS: runs.map((r) => r.bootS),
    footprintKiB: fp, spreadKiB: fp.length ? Math.max(...fp) - Math.min(...fp) : null,
    memTotalKiB: ok[0]?.memTotalKiB ?? null, imageBytes: existsSync(image) ? statSync(image).size : null,
  };
  if (flags.switches.has("--json")) console.log(JSON.stringify(summary, null, 2));
  else console.log(`${ok.length}/${runs.length} boots; footprint ${fp.join(", ")} KiB (spread ${summary.spreadKiB} KiB); boot ${summary.bootS.join(", ")} s`);
  if (flags.switches.has("--write")) {
    writeBenchmarkSection(join(REPO_ROOT, "BENCHMARKS.md"), "kconfig-boot", [
      "## Booting a built kernel: boot time and memory footprint",
      "",
      `Command: \`wayfinder kconfig ${argv.join(" ")}\``,
      "",
      `QEMU (TCG, no KVM on this machine), -m ${memoryMiB}M, busybox initramfs whose /init prints /proc/meminfo and reboots. Footprint = guest RAM - MemAvailable.`,
      "",
      "| boot | wall s (QEMU start to exit) | MemTotal KiB | MemAvailable KiB | footprint KiB |",
      "|---:|---:|---:|---:|---:|",
      ...runs.map((r, i) => `| ${i + 1} | ${r.bootS} | ${r.memTotalKiB ?? "-"} | ${r.memAvailableKiB ?? "-"} | ${r.footprintKiB ?? "did not boot"} |`),
      "",
      `Image: ${image.replace(REPO_ROOT + "/", "")} (${summary.imageBytes} bytes). Footprint spread over the boots: ${summary.spreadKiB} KiB.`,
    ].join("\n"));
  }
  return ok.length === runs.length ? 0 : 1;
}

interface Flags { positional: string[]; values: Map<string, string>; switches: Set<string> }

function parseFlags(args: string[], valued: string[], switches: string[]): Flags {
  const out: Flags = { positional: [], values: new Map(), switches: new Set() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [key, inline] = a.includes("=") && a.startsWith("--") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    if (valued.includes(key)) {
      const v = inline ?? args[++i];
      if (v === undefined || v.startsWith("--")) throw new WayfinderError(`${key} needs a value`);
      out.values.set(key, v);
    } else if (switches.includes(a)) out.switches.add(a);
    else if (a.startsWith("--")) throw new WayfinderError(`unknown option ${quote(a)}; valid: ${[...valued, ...switches].join(", ")}`);
    else out.positional.push(a);
  }
  return out;
}
