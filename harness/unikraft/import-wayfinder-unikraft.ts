/**
 * Convert an original Wayfinder Unikraft job (read by harness/jobs/wayfinder-job.ts) into this
 * project's job format with a `kind: unikraft` target. The original drove `kraft configure` from a shell
 * script inside a container image; what that script says is translated, and everything that cannot be
 * is listed, never dropped silently:
 * - `--set SYM=$PARAM` -> the parameter is compile-time, bound to Kconfig symbol SYM;
 *   `--set SYM=literal`, `--yes SYM`, `--no SYM` -> values set in every build (build.kconfig);
 *   `if [[ ${P} == "v" ]]` blocks of --yes/--no -> build.choices.P.v; `-u lib@version` -> checkout.libs;
 * - other build-time parameters (nginx.conf / redis.conf values substituted by sed) only change files
 *   of the initrd, so they become application parameters; their templates live in the original's
 *   container image and must be supplied as target.rootfs.files;
 * - the kernel command line's `${NAME}` after "--" becomes appArgs with {{NAME}}; the $WAYFINDER_DOMAIN_*
 *   network arguments are replaced by QEMU user-mode networking;
 * - the benchtool container becomes a host tool: wrk, redis-benchmark, or (otherwise) the console with a
 *   placeholder pattern that is reported as needing the real one.
 */
import { WayfinderError, quote } from "../../lib/errors";
import { formatCondition } from "../../lib/space/condition";
import type { Parameter } from "../../lib/space/parameter";
import type { WayfinderJobImport } from "../jobs/wayfinder-job";

export interface UnikraftJobConversion {
  /** The job document (plain data, ready for YAML). */
  job: Record<string, unknown>;
  /** What could not be converted, or was converted by assumption, one sentence each. */
  unconverted: string[];
}

interface KraftFlags {
  libs: string[];
  sets: { symbol: string; value: string }[];
  yes: string[];
  no: string[];
  arch?: string;
  plat?: string;
  arrays: string[];
  other: string[];
}

/** Split a shell word list on blanks outside quotes, keeping the quote characters (pure). */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let cur = "";
  let q: string | undefined;
  for (const ch of text) {
    if (q) {
      cur += ch;
      if (ch === q) q = undefined;
    } else if (ch === '"' || ch === "'") {
      q = ch;
      cur += ch;
    } else if (/\s/.test(ch)) {
      if (cur) words.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur) words.push(cur);
  return words;
}

const unquote = (w: string) => w.replace(/^(["'])(.*)\1$/, "$2");

function parseKraftFlags(words: string[]): KraftFlags {
  const f: KraftFlags = { libs: [], sets: [], yes: [], no: [], arrays: [], other: [] };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = () => unquote(words[++i] ?? "");
    if (w === "-u") f.libs.push(next());
    else if (w === "--set") {
      const kv = next();
      const eq = kv.indexOf("=");
      if (eq > 0) f.sets.push({ symbol: kv.slice(0, eq), value: unquote(kv.slice(eq + 1)) });
      else f.other.push(`--set ${kv}`);
    } else if (w === "--yes") f.yes.push(next());
    else if (w === "--no") f.no.push(next());
    else if (w === "--arch") f.arch = next();
    else if (w === "--plat") f.plat = next();
    else if (/^\$\{[A-Z_]+\[@\]\}$/.test(w)) f.arrays.push(w.slice(2, -4));
    else if (w === "-v" || w === "-F" || w === "kraft" || w === "configure") continue;
    else f.other.push(w);
  }
  return f;
}

/** The `kraft ... configure` invocation and the `if [[ ${P} == "v" ]]` blocks of a build script (pure). */
export function parseKraftScript(script: string): { configure?: KraftFlags; blocks: { param: string; value: string; flags: KraftFlags }[] } {
  const joined = script.replace(/\\\r?\n/g, " ");
  const lines = joined.split(/\r?\n/);
  const cfgLine = lines.find((l) => /^\s*kraft\b.*\bconfigure\b/.test(l));
  const blocks: { param: string; value: string; flags: KraftFlags }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*if \[\[ \$\{?([A-Za-z_][A-Za-z0-9_]*)\}? == "([^"]*)" \]\]; then\s*$/.exec(lines[i]!);
    if (!m) continue;
    const words: string[] = [];
    for (i++; i < lines.length && !/^\s*fi\s*$/.test(lines[i]!); i++) {
      const add = /^\s*[A-Z_]+\+=\("(.*)"\)\s*$/.exec(lines[i]!);
      if (add) words.push(...shellWords(add[1]!));
    }
    blocks.push({ param: m[1]!, value: m[2]!, flags: parseKraftFlags(words) });
  }
  return { ...(cfgLine ? { configure: parseKraftFlags(shellWords(cfgLine)) } : {}), blocks };
}

const PARAM_REF = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/;

function memoryMiB(v: unknown): number | undefined {
  const m = /^(\d+)\s*([MG])i?B?$/i.exec(String(v ?? "").trim());
  if (!m) return undefined;
  return Number(m[1]) * (m[2]!.toUpperCase() === "G" ? 1024 : 1);
}

function paramDoc(p: Parameter, phase: Parameter["phase"]): Record<string, unknown> {
  const { condition, description, ...rest } = p;
  return {
    ...rest,
    phase,
    ...(description ? { description: description.replace(/\s+/g, " ").trim() } : {}),
    ...(condition ? { condition: formatCondition(condition) } : {}),
  };
}

export function convertWayfinderUnikraftJob(imp: WayfinderJobImport): UnikraftJobConversion {
  const notes: string[] = [];
  const build = (imp.build ?? {}) as { commands?: unknown; outputs?: { kernel?: unknown; initrd?: unknown; arch?: unknown; plat?: unknown }; image?: unknown };
  const tests = (Array.isArray(imp.test) ? imp.test : imp.test ? [imp.test] : []) as {
    name?: unknown; kernel?: { memory?: unknown; args?: unknown; cores?: unknown }; benchtool?: { image?: unknown; duration?: unknown; start_delay?: unknown; monitors?: { name?: unknown }[] };
  }[];
  const script = typeof build.commands === "string" ? build.commands : "";
  if (!/\bkraft\b/.test(script) && !/unikraft/.test(String(build.outputs?.kernel ?? ""))) {
    throw new WayfinderError(`${imp.file}: not a Unikraft job (its build neither runs kraft nor outputs a Unikraft image); Linux jobs are read with \`wayfinder job import\``);
  }
  const { configure, blocks } = parseKraftScript(script);
  if (!configure) throw new WayfinderError(`${imp.file}: build.commands has no \`kraft ... configure\` command to take the Kconfig values from`);
  const names = new Set(imp.parameters.map((p) => p.name));
  const kconfig: Record<string, string> = {};
  const options: Record<string, string> = {};
  const bound = new Set<string>();
  const bind = (symbol: string, value: string, where: string) => {
    const ref = PARAM_REF.exec(value);
    if (ref) {
      if (!names.has(ref[1]!)) {
        notes.push(`${where} --set ${symbol}=${value}: ${ref[1]} is not a parameter of this job (the original passed an empty value); not converted`);
        return;
      }
      bound.add(ref[1]!);
      if (ref[1] !== symbol) options[ref[1]!] = symbol;
      return;
    }
    if (/\$/.test(value)) {
      notes.push(`${where} --set ${symbol}=${value}: a computed value; not converted`);
      return;
    }
    kconfig[symbol] = value;
  };
  for (const s of configure.sets) bind(s.symbol, s.value, "kraft configure");
  for (const s of configure.yes) kconfig[s] = "y";
  for (const s of configure.no) kconfig[s] = "n";
  for (const o of configure.other) notes.push(`kraft configure argument ${quote(o)} has no equivalent; not converted`);

  const choices: Record<string, Record<string, Record<string, string>>> = {};
  const libs = new Set<string>();
  const versions: string[] = [];
  const addLib = (spec: string) => {
    versions.push(spec);
    const name = spec.replace(/@.*$/, "");
    if (name === "unikraft" || name.startsWith("app/")) return;
    libs.add(name.replace(/^lib\//, ""));
  };
  configure.libs.forEach(addLib);
  for (const b of blocks) {
    if (!names.has(b.param)) {
      notes.push(`the build script's block for ${b.param} == "${b.value}" names no parameter; not converted`);
      continue;
    }
    const sets = ((choices[b.param] ??= {})[b.value] ??= {});
    const put = (symbol: string, value: string) => {
      if (sets[symbol] !== undefined && sets[symbol] !== value) notes.push(`${b.param}=${b.value}: the script sets ${symbol} to both ${sets[symbol]} and ${value}; kept ${sets[symbol]}`);
      else sets[symbol] = value;
    };
    for (const s of b.flags.yes) put(s, "y");
    for (const s of b.flags.no) put(s, "n");
    for (const s of b.flags.sets) bind(s.symbol, s.value, `${b.param}=${b.value}:`);
    b.flags.libs.forEach(addLib);
  }
  for (const [p, byValue] of Object.entries(choices)) {
    bound.add(p);
    const param = imp.parameters.find((x) => x.name === p)!;
    const values = param.type === "choice" ? param.values.map(String) : param.type === "fixed" ? [String(param.value)] : [];
    for (const v of values) if (!(v in byValue)) {
      byValue[v] = {};
      notes.push(`${p}=${v}: the build script has no block for this value; it sets no Kconfig value (the app's default allocator is used)`);
    }
    // A symbol a choice block sets must not also be fixed for every build.
    for (const sets of Object.values(byValue)) for (const s of Object.keys(sets)) delete kconfig[s];
  }

  // Test-time parameters on the kernel command line; the rest of the test section.
  const test = tests[0] ?? {};
  if (tests.length > 1) notes.push(`the job has ${tests.length} tests; only the first (${String(test.name ?? "unnamed")}) is converted`);
  const args = String(test.kernel?.args ?? "");
  const sep = args.indexOf(" -- ") >= 0 ? args.indexOf(" -- ") : args.trimEnd().endsWith("--") ? args.trimEnd().length - 2 : -1;
  const libArgs = shellWords(sep >= 0 ? args.slice(0, sep) : args);
  const appWords = sep >= 0 ? shellWords(args.slice(sep + 3)) : [];
  const netArgs = libArgs.filter((a) => !/\$\{?WAYFINDER_/.test(a));
  for (const a of netArgs) notes.push(`kernel argument ${quote(a)} before "--" is not converted (only the network arguments are, by QEMU user-mode networking)`);
  const used = new Set<string>();
  const appArgs: string[] = [];
  for (const w of appWords) {
    const refs = [...w.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
    const unknown = refs.filter((r) => !names.has(r));
    if (unknown.length) {
      notes.push(`application argument ${quote(w)} uses \${${unknown.join("}, ${")}}, which no parameter defines; argument dropped`);
      continue;
    }
    refs.forEach((r) => used.add(r));
    appArgs.push(w.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, "{{$1}}"));
  }

  // Benchmark tool.
  const image = String(test.benchtool?.image ?? "");
  const duration = Number(test.benchtool?.duration ?? 30) || 30;
  const objective = imp.results[0]?.name;
  if (!objective) throw new WayfinderError(`${imp.file}: the test section lists no results, so there is no objective to optimise`);
  let benchmark: Record<string, unknown>;
  let guestPort: number | undefined;
  const testParams = imp.parameters.filter((p) => p.phase === "runtime" || p.phase === "boot").map((p) => p.name).filter((n) => !used.has(n));
  if (/wrk/.test(image)) {
    guestPort = 80;
    const conns = testParams.find((n) => /CONN/i.test(n));
    if (conns) {
      used.add(conns);
      notes.push(`${conns} is passed to wrk as -c (its connections), as the original /test.sh in ${image} is assumed to have done`);
    }
    benchmark = { tool: "wrk", argv: ["-t1", `-c${conns ? `{{${conns}}}` : "30"}`, `-d${duration}s`, "--timeout", "2s", "http://127.0.0.1:{{PORT}}/"] };
  } else if (/redis/.test(image)) {
    guestPort = 6379;
    const tests = imp.results.map((r) => /^throughput-([a-z0-9]+)$/.exec(r.name)?.[1]).filter((t): t is string => !!t);
    benchmark = { tool: "redis-benchmark", argv: ["-h", "127.0.0.1", "-p", "{{PORT}}", "-t", tests.length ? tests.join(",") : "get,set", "-n", "100000", "--csv"] };
  } else {
    benchmark = {
      tool: "console",
      metrics: imp.results.map((r) => ({ name: r.name, pattern: `${r.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[:=]\\s*([-0-9.eE+]+)` })),
    };
    notes.push(`the benchmark ran in ${image || "a container"} (its /test.sh is not available): the unikernel's console is read with the placeholder pattern(s) ${imp.results.map((r) => `"${r.name}: <number>"`).join(", ")}; replace them with what the application prints`);
  }
  notes.push(`the result ${objective} is the objective, maximised (the original results carry no direction)${imp.results.length > 1 ? `; ${imp.results.slice(1).map((r) => r.name).join(", ")} are recorded as metrics` : ""}`);
  for (const n of testParams.filter((n) => !used.has(n))) notes.push(`test-time parameter ${n} was read by the original's benchmark script, which is not available; it is kept but reaches nothing`);
  for (const m of test.benchtool?.monitors ?? []) notes.push(`monitor ${quote(m.name)} (a power meter in the original lab) is not converted`);
  if (test.benchtool?.start_delay !== undefined) notes.push(`start_delay ${String(test.benchtool.start_delay)} s is replaced by a readiness probe (the benchmark starts when the application answers)`);

  // Build-time parameters that are not Kconfig values only change the initrd (config files, payload).
  const parameters = imp.parameters.map((p) => {
    if (p.phase === "compile" && !bound.has(p.name)) return paramDoc(p, "application");
    return paramDoc(p, p.phase);
  });
  const appParams = imp.parameters.filter((p) => p.phase === "compile" && !bound.has(p.name)).map((p) => p.name);
  if (appParams.length) {
    const templates = [...new Set([...script.matchAll(/(\/[A-Za-z0-9_.$-]+\.conf)\b/g)].map((m) => m[1]!).filter((f) => !f.includes("fs0")))];
    notes.push(`${appParams.length} build-time parameter(s) are not Kconfig values and only change files of the initrd, so they are application parameters: ${appParams.join(", ")}; the script filled them into ${templates.length ? templates.join(", ") : "files"} from the container image ${String(build.image ?? "")}, which are not available: add the templates as target.rootfs.files with {{NAME}} placeholders`);
  }

  // Checkout layout from the script's paths.
  const workdir = /export UK_WORKDIR=(\S+)/.exec(script)?.[1]?.replace(/\/$/, "") ?? "/usr/src/unikraft";
  const cd = /^\s*cd (\S+)\s*$/m.exec(script)?.[1]?.replace(/\/$/, "");
  const appDir = cd && cd.startsWith(workdir + "/") ? cd.slice(workdir.length + 1) : cd && !cd.startsWith("/") ? cd : undefined;
  if (!appDir) throw new WayfinderError(`${imp.file}: cannot tell the application directory from build.commands (expected "cd ${workdir}/apps/<app>")`);
  const kernel = String(build.outputs?.kernel ?? "");
  const imagePath = kernel.startsWith(`${workdir}/${appDir}/`) ? kernel.slice(workdir.length + appDir.length + 2) : undefined;
  if (String(build.outputs?.arch ?? configure.arch ?? "x86_64") !== "x86_64") notes.push(`architecture ${String(build.outputs?.arch ?? configure.arch)}: only x86_64 is booted by this harness; the job is converted for x86_64`);
  if (versions.length) notes.push(`the original pinned ${versions.join(", ")}: check out those versions in $WAYFINDER_UNIKRAFT_DIR (the harness builds whatever the checkout holds)`);
  if (imagePath) notes.push(`the image path ${imagePath} is kraft's name for the kvm platform; newer Unikraft names it build/<app>_qemu-x86_64 (change target.build.image, or remove it to detect the one image)`);
  const rootfsDir = /\bcd (\S*fs0)\/?\s*$/m.exec(script)?.[1] ?? (/\bfs0\b/.test(script) ? "fs0" : undefined);

  const target: Record<string, unknown> = {
    kind: "unikraft",
    checkout: { app: appDir, libs: [...libs] },
    build: {
      kconfig,
      ...(Object.keys(options).length ? { options } : {}),
      ...(Object.keys(choices).length ? { choices } : {}),
      ...(imagePath ? { image: imagePath } : {}),
      timeoutS: 3600,
    },
    ...(build.outputs?.initrd ? { rootfs: { ...(rootfsDir ? { dir: rootfsDir } : {}), files: [] } } : {}),
    vm: { memoryMiB: memoryMiB(test.kernel?.memory) ?? 64, cpus: Number(test.kernel?.cores ?? 1) || 1, accel: "auto" },
    ...(guestPort !== undefined ? { net: { guestPort } } : {}),
    ...(appArgs.length ? { appArgs } : {}),
    benchmark,
    timeouts: { bootS: 60, benchmarkS: duration + 60 },
  };
  if (test.kernel?.memory !== undefined && memoryMiB(test.kernel.memory) === undefined) notes.push(`memory ${quote(test.kernel.memory)} is not understood; 64 MiB used`);
  const name = imp.name.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "") || "unikraft-job";
  return {
    job: {
      name,
      description: `Converted from the original Wayfinder job ${imp.file}`,
      objective: { metric: objective, direction: "max" },
      budget: { iterations: 100 },
      search: { searcher: "random", seed: 1 },
      parameters,
      target,
    },
    unconverted: notes,
  };
}
