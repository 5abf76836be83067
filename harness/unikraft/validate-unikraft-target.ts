/**
 * Validation of a `kind: unikraft` target section into a UnikraftTarget with every default filled in.
 * Problems go through `fail(path, message)` with the path inside the section, so the job reader turns
 * them into file:line:column; each message names the bad value and what is valid. Checked here, without
 * a checkout: unknown keys, types, ranges, symbol names, placeholders naming no parameter, parameters
 * mapped to Kconfig that are not compile-time, metric patterns without a capture group, an objective
 * the chosen benchmark tool cannot report. What needs the checkout (symbols existing in its Kconfig,
 * value types) is checked by the evaluator when it starts.
 */
import { quote } from "../../lib/errors";
import { defaultTargetFail, fieldReaders, type Fail, type TargetPath } from "../vm/field-readers";
export type { Fail, TargetPath };
import { placeholders } from "../vm/render-config";
import type { ConfigFileSpec, MetricSpec } from "../vm/target";
import { benchmarkMetricNames } from "./benchmark-metrics";
import {
  DEFAULT_NET_ARGS, type UnikraftBenchmarkTool, type UnikraftReady, type UnikraftTarget,
} from "./unikraft-target";


export interface ValidateUnikraftTargetOptions {
  fail?: Fail;
  /** The job's objective metric, checked against what the benchmark tool reports. */
  objective?: string;
  /** The job's parameters (name and phase), to check bindings and placeholders. */
  params?: { name: string; phase: string }[];
}

const SYMBOL = /^[A-Za-z0-9_]+$/;
const REL_OR_ABS = /^[A-Za-z0-9_.@+${}\/-]+$/;
const TOOLS: UnikraftBenchmarkTool[] = ["wrk", "redis-benchmark", "console"];
const FORMATS: ConfigFileSpec["format"][] = ["redis", "nginx", "sql", "raw"];
const COMBINE = ["mean", "sum", "min", "max", "first", "last"];
const DEFAULT_PORTS: Partial<Record<UnikraftBenchmarkTool, number>> = { wrk: 80, "redis-benchmark": 6379 };


export function validateUnikraftTarget(raw: unknown, opts: ValidateUnikraftTargetOptions = {}): UnikraftTarget {
  const fail: Fail = opts.fail ?? defaultTargetFail;
  const params = opts.params ? new Map(opts.params.map((p) => [p.name, p.phase])) : undefined;
  const { obj, str, optStr, list, num } = fieldReaders(fail);
  const kconfigValue = (v: unknown, path: TargetPath): string => {
    if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
    if (typeof v === "boolean") return v ? "y" : "n";
    if (typeof v === "string" && v !== "" && !/[\n\0]/.test(v)) return v;
    fail(path, `${quote(v)} is not a Kconfig value; expected y, n, m, a number or a string`);
  };
  const symbol = (v: unknown, path: TargetPath): string => str(v, path, SYMBOL, "a Kconfig symbol name such as LWIP_NUM_TCPCON (letters, digits, _; CONFIG_ prefix optional)").replace(/^CONFIG_/, "");
  const compileParam = (name: string, path: TargetPath) => {
    if (!params) return;
    const phase = params.get(name);
    if (phase === undefined) fail(path, `${quote(name)} is not a parameter of this job; valid: ${[...params.keys()].join(", ")}`);
    if (phase !== "compile") fail(path, `parameter ${name} has phase ${phase}; only compile-time parameters become Kconfig values`);
  };
  const checkPlaceholders = (text: string, path: TargetPath, extra: string[] = []) => {
    if (!params) return;
    for (const name of placeholders(text)) {
      if (!params.has(name) && !extra.includes(name)) fail(path, `{{${name}}} names no parameter of this job${extra.length ? ` (nor ${extra.join(", ")})` : ""}`);
    }
  };

  const t = obj(raw, [], ["kind", "checkout", "build", "rootfs", "vm", "net", "appArgs", "ready", "benchmark", "timeouts"], "the unikraft target section", true);
  if (t.kind !== "unikraft") fail(["kind"], `expected kind: unikraft, got ${quote(t.kind)}`);

  const c = obj(t.checkout, ["checkout"], ["root", "app", "core", "libsDir", "libs"], "checkout", true);
  const checkout = {
    ...(c.root !== undefined ? { root: str(c.root, ["checkout", "root"], REL_OR_ABS, "a directory path") } : {}),
    app: str(c.app, ["checkout", "app"], REL_OR_ABS, "the application directory, e.g. apps/nginx"),
    core: optStr(c.core, ["checkout", "core"], REL_OR_ABS, "the Unikraft core directory") ?? "unikraft",
    libsDir: optStr(c.libsDir, ["checkout", "libsDir"], REL_OR_ABS, "the libraries directory") ?? "libs",
    libs: list(c.libs, ["checkout", "libs"]).map((l, i) => str(l, ["checkout", "libs", i], /^[A-Za-z0-9_.+-]+$/, "a library directory name under libsDir, e.g. lwip")),
  };

  const b = obj(t.build, ["build"], ["baseConfig", "kconfig", "options", "choices", "notKconfig", "makeVariables", "jobs", "image", "timeoutS"], "build");
  const kconfig: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(b.kconfig, ["build", "kconfig"], Object.keys((b.kconfig as object) ?? {}), "build.kconfig"))) {
    kconfig[symbol(k, ["build", "kconfig", k])] = kconfigValue(v, ["build", "kconfig", k]);
  }
  const options: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(b.options, ["build", "options"], Object.keys((b.options as object) ?? {}), "build.options"))) {
    compileParam(k, ["build", "options", k]);
    options[k] = symbol(v, ["build", "options", k]);
  }
  const choices: UnikraftTarget["build"]["choices"] = {};
  for (const [k, v] of Object.entries(obj(b.choices, ["build", "choices"], Object.keys((b.choices as object) ?? {}), "build.choices"))) {
    compileParam(k, ["build", "choices", k]);
    choices[k] = {};
    for (const [value, sets] of Object.entries(obj(v, ["build", "choices", k], Object.keys((v as object) ?? {}), `build.choices.${k}`))) {
      choices[k][value] = {};
      for (const [s, sv] of Object.entries(obj(sets, ["build", "choices", k, value], Object.keys((sets as object) ?? {}), `build.choices.${k}.${value}`))) {
        choices[k][value][symbol(s, ["build", "choices", k, value, s])] = kconfigValue(sv, ["build", "choices", k, value, s]);
      }
    }
  }
  const notKconfig = list(b.notKconfig, ["build", "notKconfig"]).map((n, i) => {
    const name = str(n, ["build", "notKconfig", i]);
    compileParam(name, ["build", "notKconfig", i]);
    return name;
  });
  for (const name of notKconfig) {
    if (name in options || name in choices) fail(["build", "notKconfig"], `parameter ${name} is listed in notKconfig and also mapped to Kconfig in build.${name in options ? "options" : "choices"}`);
  }
  const makeVariables: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(b.makeVariables, ["build", "makeVariables"], Object.keys((b.makeVariables as object) ?? {}), "build.makeVariables"))) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) fail(["build", "makeVariables", k], `${quote(k)} is not a make variable name`);
    if (typeof v !== "string" && typeof v !== "number") fail(["build", "makeVariables", k], `expected a string, got ${quote(v)}`);
    makeVariables[k] = String(v);
  }
  const build = {
    ...(b.baseConfig !== undefined ? { baseConfig: str(b.baseConfig, ["build", "baseConfig"], REL_OR_ABS, "a file path") } : {}),
    kconfig, options, choices, notKconfig, makeVariables,
    ...(b.jobs !== undefined ? { jobs: num(b.jobs, ["build", "jobs"], undefined, 1, 256) } : {}),
    ...(b.image !== undefined ? { image: str(b.image, ["build", "image"], REL_OR_ABS, "the image path relative to the app, e.g. build/nginx_qemu-x86_64") } : {}),
    timeoutS: num(b.timeoutS, ["build", "timeoutS"], 3600, 10, 86400),
  };

  let rootfs: UnikraftTarget["rootfs"];
  if (t.rootfs !== undefined) {
    const r = obj(t.rootfs, ["rootfs"], ["dir", "files"], "rootfs");
    rootfs = {
      ...(r.dir !== undefined ? { dir: str(r.dir, ["rootfs", "dir"], REL_OR_ABS, "a directory relative to the app") } : {}),
      files: list(r.files, ["rootfs", "files"]).map((f, i) => {
        const path: TargetPath = ["rootfs", "files", i];
        const o = obj(f, path, ["path", "format", "template"], "a rootfs file", true);
        const file = str(o.path, [...path, "path"], /^\/[A-Za-z0-9_.@+\/-]+$/, "an absolute path inside the guest, e.g. /nginx/conf/nginx.conf");
        if (file.split("/").includes("..")) fail([...path, "path"], `${quote(file)} must not contain ".."`);
        const format = (o.format ?? "raw") as ConfigFileSpec["format"];
        if (!FORMATS.includes(format)) fail([...path, "format"], `${quote(o.format)} is not valid; expected one of ${FORMATS.join(", ")}`);
        if (typeof o.template !== "string") fail([...path, "template"], `expected the file's text with {{PARAM}} placeholders, got ${quote(o.template)}`);
        checkPlaceholders(o.template, [...path, "template"]);
        return { path: file, format, template: o.template };
      }),
    };
  }

  const v = obj(t.vm, ["vm"], ["memoryMiB", "cpus", "accel", "qemu"], "vm");
  const accel = (v.accel ?? "auto") as UnikraftTarget["vm"]["accel"];
  if (!["auto", "kvm", "tcg"].includes(accel)) fail(["vm", "accel"], `${quote(v.accel)} is not valid; expected auto, kvm or tcg`);
  const vm = {
    memoryMiB: num(v.memoryMiB, ["vm", "memoryMiB"], 64, 4, 65536),
    cpus: num(v.cpus, ["vm", "cpus"], 1, 1, 64),
    accel,
    ...(v.qemu !== undefined ? { qemu: str(v.qemu, ["vm", "qemu"]) } : {}),
  };

  const bench = obj(t.benchmark, ["benchmark"], ["tool", "argv", "metrics"], "benchmark", true);
  const tool = bench.tool as UnikraftBenchmarkTool;
  if (!TOOLS.includes(tool)) fail(["benchmark", "tool"], `${quote(bench.tool)} is not valid; expected one of ${TOOLS.join(", ")}`);
  const argv = list(bench.argv, ["benchmark", "argv"]).map((a, i) => {
    if (typeof a !== "string" && typeof a !== "number") fail(["benchmark", "argv", i], `expected a string, got ${quote(a)}`);
    checkPlaceholders(String(a), ["benchmark", "argv", i], ["PORT"]);
    return String(a);
  });
  if (tool !== "console" && argv.length === 0) fail(["benchmark", "argv"], `${tool} needs its arguments (without the program name), e.g. ${tool === "wrk" ? '["-t1", "-c30", "-d10s", "http://127.0.0.1:{{PORT}}/"]' : '["-h", "127.0.0.1", "-p", "{{PORT}}", "-t", "get,set", "-n", "100000", "--csv"]'}`);
  if (tool !== "console" && !argv.some((a) => a.includes("{{PORT}}"))) fail(["benchmark", "argv"], `${tool} must reach the guest through the forwarded port: put {{PORT}} in its arguments`);
  if (tool === "console" && argv.length) fail(["benchmark", "argv"], "the console tool runs nothing on the host: remove argv (the unikernel benchmarks itself)");
  const metrics: MetricSpec[] = list(bench.metrics, ["benchmark", "metrics"]).map((m, i) => {
    const path: TargetPath = ["benchmark", "metrics", i];
    const o = obj(m, path, ["name", "pattern", "unit", "scale", "combine"], "a metric", true);
    const name = str(o.name, [...path, "name"]);
    const pattern = str(o.pattern, [...path, "pattern"]);
    let groups = 0;
    try {
      groups = new RegExp(`${pattern}|`).exec("")!.length - 1;
    } catch (e) {
      fail([...path, "pattern"], `${quote(pattern)} is not a regular expression: ${(e as Error).message}`);
    }
    if (groups < 1) fail([...path, "pattern"], `${quote(pattern)} has no capture group; the first group must capture the number`);
    if (o.combine !== undefined && !COMBINE.includes(String(o.combine))) fail([...path, "combine"], `${quote(o.combine)} is not valid; expected one of ${COMBINE.join(", ")}`);
    if (o.scale !== undefined && (typeof o.scale !== "number" || !Number.isFinite(o.scale))) fail([...path, "scale"], `expected a number, got ${quote(o.scale)}`);
    return { name, pattern, ...(o.unit !== undefined ? { unit: String(o.unit) } : {}), ...(o.scale !== undefined ? { scale: o.scale as number } : {}), ...(o.combine !== undefined ? { combine: o.combine as MetricSpec["combine"] } : {}) };
  });
  if (tool === "console" && metrics.length === 0) fail(["benchmark", "metrics"], "the console tool needs metrics: patterns over the unikernel's output whose first group is the number");
  if (tool !== "console" && metrics.length) fail(["benchmark", "metrics"], `${tool}'s output is parsed by the harness (metrics ${benchmarkMetricNames(tool).join(", ")}); remove metrics`);
  if (opts.objective !== undefined) {
    const known = tool === "console" ? metrics.map((m) => m.name) : benchmarkMetricNames(tool);
    const ok = known.includes(opts.objective) || (tool === "redis-benchmark" && /^(throughput|latency)-[a-z0-9-]+$/.test(opts.objective));
    if (!ok) fail(["benchmark", "tool"], `the job's objective ${quote(opts.objective)} is not a metric ${tool} reports; valid: ${known.join(", ")}`);
  }

  let net: UnikraftTarget["net"];
  if (t.net !== undefined || tool !== "console") {
    const n = obj(t.net, ["net"], ["guestPort", "args"], "net");
    net = {
      guestPort: num(n.guestPort, ["net", "guestPort"], DEFAULT_PORTS[tool], 1, 65535),
      args: n.args === undefined ? [...DEFAULT_NET_ARGS] : list(n.args, ["net", "args"]).map((a, i) => str(a, ["net", "args", i], /^[A-Za-z0-9_.]+=[^\s"]+$/, "a library parameter such as netdev.ipv4_addr=10.0.2.15")),
    };
  }

  const appArgs = list(t.appArgs, ["appArgs"]).map((a, i) => {
    if (typeof a !== "string" && typeof a !== "number") fail(["appArgs", i], `expected a string, got ${quote(a)}`);
    if (/[\n\0]/.test(String(a))) fail(["appArgs", i], "an argument must not contain a newline or NUL");
    checkPlaceholders(String(a), ["appArgs", i]);
    return String(a);
  });

  const ready = readySpec(t.ready, tool, fail, obj, str);
  const to = obj(t.timeouts, ["timeouts"], ["bootS", "benchmarkS"], "timeouts");
  const timeouts = { bootS: num(to.bootS, ["timeouts", "bootS"], 60, 1, 3600), benchmarkS: num(to.benchmarkS, ["timeouts", "benchmarkS"], 120, 1, 86400) };

  return { kind: "unikraft", checkout, build, ...(rootfs ? { rootfs } : {}), vm, ...(net ? { net } : {}), appArgs, ready, benchmark: { tool, argv, metrics }, timeouts };
}

function readySpec(
  raw: unknown,
  tool: UnikraftBenchmarkTool,
  fail: Fail,
  obj: (v: unknown, path: TargetPath, keys: string[], what: string) => Record<string, unknown>,
  str: (v: unknown, path: TargetPath) => string,
): UnikraftReady {
  if (raw === undefined) {
    if (tool === "wrk") return { kind: "http", path: "/" };
    if (tool === "redis-benchmark") return { kind: "redis" };
    return { kind: "console", pattern: "\\S" };
  }
  const r = obj(raw, ["ready"], ["kind", "path", "pattern"], "ready");
  switch (r.kind) {
    case "http": {
      const path = r.path === undefined ? "/" : str(r.path, ["ready", "path"]);
      if (!/^\/[\x21-\x7e]*$/.test(path)) fail(["ready", "path"], `${quote(path)} is not a request path; expected e.g. /index.html`);
      return { kind: "http", path };
    }
    case "redis":
      return { kind: "redis" };
    case "console": {
      const pattern = str(r.pattern, ["ready", "pattern"]);
      try {
        new RegExp(pattern);
      } catch (e) {
        fail(["ready", "pattern"], `${quote(pattern)} is not a regular expression: ${(e as Error).message}`);
      }
      return { kind: "console", pattern };
    }
    default:
      fail(["ready", "kind"], `${quote(r.kind)} is not valid; expected http (a GET answered with HTTP/1.x), redis (PING answered +PONG) or console (a pattern on the console)`);
  }
}
