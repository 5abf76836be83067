/**
 * Validation of a job's `target` section into a TargetSpec with every default filled in. Each problem
 * is reported through `fail(path, message)` with the path inside the section, so a job file reader can
 * turn it into file:line:column (JobSource.fail), and the message names the bad value and what is valid.
 * Everything that can be checked without a VM is checked here: unknown keys, types, ranges, unsafe
 * fixed kernel arguments, runtime paths outside /proc/sys and /sys, metric patterns that are not
 * regular expressions with a capture group, templates naming parameters that are not application ones.
 */
import { quote } from "../../lib/errors";
import { defaultTargetFail, fieldReaders, type Fail, type TargetPath } from "./field-readers";
export type { Fail, TargetPath };
import { fixedArgProblem } from "./boot-args";
import { cpioName } from "./cpio";
import { placeholders } from "./render-config";
import type { ConfigFileSpec, MetricSpec, TargetSpec } from "./target";


export interface ValidateTargetOptions {
  /** Report a problem; default throws a WayfinderError "target.a.b: message". */
  fail?: Fail;
  /** The job's objective metric: the benchmark's primary metric when the section does not name one. */
  objective?: string;
  /** The job's parameters, to check templates, runtime paths and boot flags against them. */
  params?: { name: string; phase: string }[];
  /** The guest architecture implied by the job (target.build.arch); target.vm.arch must agree if given. */
  arch?: "x86" | "riscv";
}

export const GUEST_ARCHES = ["x86", "riscv"] as const;
/** What the riscv guest's static /init prints (riscv-init-source.ts): the metric patterns can match these. */
export const RISCV_REPORT_LINES = "footprint_kib, memtotal_kib, memfree_kib, memavailable_kib, ram_kib, kernel_ram_kib, kernel_static_kib and the kernel's Memory: line";

const DEB = /^[a-z0-9][a-z0-9+.-]+$/;
const ABS = /^\/[A-Za-z0-9_.@+\/-]*$/;
const RUNTIME_PATH = /^\/(proc\/sys|sys)\/[A-Za-z0-9_.:+@-]+(\/[A-Za-z0-9_.:+@-]+)*$/;
const MODULE = /^[A-Za-z0-9_-]+$/;


export function validateTarget(raw: unknown, opts: ValidateTargetOptions = {}): TargetSpec {
  const fail: Fail = opts.fail ?? defaultTargetFail;
  const { obj, str, optStr, list, num, bool } = fieldReaders(fail);

  const t = obj(raw, [], ["kernel", "image", "vm", "boot", "runtime", "application", "benchmark", "timeouts"], "the target section");
  const params = opts.params;
  const phaseOf = new Map((params ?? []).map((p) => [p.name, p.phase]));

  // kernel
  const k = obj(t.kernel, ["kernel"], ["package", "path", "modules"], "target.kernel");
  if (k.package !== undefined && k.path !== undefined) fail(["kernel", "path"], "give either kernel.package (a Debian package) or kernel.path (your own kernel image), not both");
  const kernel: TargetSpec["kernel"] = {
    package: optStr(k.package, ["kernel", "package"], DEB, "a Debian package name such as linux-image-cloud-amd64"),
    path: optStr(k.path, ["kernel", "path"]),
    modules: k.modules === undefined ? undefined : list(k.modules, ["kernel", "modules"]).map((m, i) => str(m, ["kernel", "modules", i], MODULE, "a kernel module name such as pvpanic")),
  };

  // image
  const im = obj(t.image, ["image"], ["packages", "binaries", "paths", "files", "initrd"], "target.image");
  const files: Record<string, string> = {};
  for (const [p, c] of Object.entries(obj(im.files, ["image", "files"], Object.keys((im.files as object) ?? {}), "target.image.files"))) {
    str(p, ["image", "files", p], ABS, "an absolute guest path");
    if (typeof c !== "string") fail(["image", "files", p], `file content must be a string, got ${quote(c)}`);
    files[p] = c;
  }
  const image: TargetSpec["image"] = {
    packages: list(im.packages, ["image", "packages"]).map((p, i) => str(p, ["image", "packages", i], DEB, "a Debian package name such as redis-server")),
    binaries: list(im.binaries, ["image", "binaries"]).map((p, i) => str(p, ["image", "binaries", i], ABS, "an absolute path inside the packages, e.g. /usr/bin/redis-server")),
    paths: list(im.paths, ["image", "paths"]).map((p, i) => str(p, ["image", "paths", i], ABS, "an absolute path inside the packages")),
    files,
    initrd: optStr(im.initrd, ["image", "initrd"]),
  };
  if (image.binaries.length > 0 && image.packages.length === 0) fail(["image", "packages"], "binaries are copied out of Debian packages: list the packages that contain them");
  for (const [i, p] of [...image.binaries, ...(image.paths ?? [])].entries()) {
    if (p.split("/").includes("..")) fail(["image", i < image.binaries.length ? "binaries" : "paths"], `${quote(p)} must not contain ".."`);
  }

  // vm
  const v = obj(t.vm, ["vm"], ["memoryMiB", "cpus", "accel", "deterministic", "qemu", "arch"], "target.vm");
  const accel = v.accel ?? "auto";
  if (accel !== "auto" && accel !== "kvm" && accel !== "tcg") fail(["vm", "accel"], `accel ${quote(accel)} is not valid; expected auto, kvm or tcg`);
  if (v.arch !== undefined && !(GUEST_ARCHES as readonly unknown[]).includes(v.arch)) fail(["vm", "arch"], `arch ${quote(v.arch)} is not valid; expected ${GUEST_ARCHES.join(" or ")}`);
  if (v.arch !== undefined && opts.arch !== undefined && v.arch !== opts.arch) {
    fail(["vm", "arch"], `arch ${quote(v.arch)} contradicts target.build.arch ${quote(opts.arch)}; drop target.vm.arch (the build's arch decides) or make them equal`);
  }
  const arch = (v.arch ?? opts.arch ?? "x86") as "x86" | "riscv";
  const vm: TargetSpec["vm"] = {
    memoryMiB: num(v.memoryMiB, ["vm", "memoryMiB"], 256, 64, 65536),
    cpus: num(v.cpus, ["vm", "cpus"], 1, 1, 64),
    accel: accel as TargetSpec["vm"]["accel"],
    deterministic: bool(v.deterministic, ["vm", "deterministic"], false),
    qemu: optStr(v.qemu, ["vm", "qemu"]),
    ...(arch === "riscv" ? { arch } : {}),
  };
  if (arch === "riscv") riscvLimits(t, fail, params);

  // boot
  const b = obj(t.boot, ["boot"], ["args", "flags"], "target.boot");
  const boot: TargetSpec["boot"] = {
    args: list(b.args, ["boot", "args"]).map((a, i) => {
      const s = str(a, ["boot", "args", i]);
      const problem = fixedArgProblem(s);
      if (problem) fail(["boot", "args", i], problem);
      return s;
    }),
    flags: list(b.flags, ["boot", "flags"]).map((f, i) => {
      const s = str(f, ["boot", "flags", i]);
      if (params && phaseOf.get(s) !== "boot") fail(["boot", "flags", i], `${quote(s)} is not a boot-phase parameter of this job`);
      return s;
    }),
  };

  // runtime
  const r = obj(t.runtime, ["runtime"], ["paths"], "target.runtime");
  const rp = obj(r.paths, ["runtime", "paths"], Object.keys((r.paths as object) ?? {}), "target.runtime.paths");
  const runtime: TargetSpec["runtime"] = { paths: {} };
  for (const [name, p] of Object.entries(rp)) {
    const s = str(p, ["runtime", "paths", name], RUNTIME_PATH, "a file under /proc/sys or /sys, e.g. /sys/kernel/mm/transparent_hugepage/enabled");
    if (s.split("/").includes("..")) fail(["runtime", "paths", name], `${quote(s)} must not contain ".."`);
    if (params && phaseOf.get(name) !== "runtime") fail(["runtime", "paths", name], `${quote(name)} is not a runtime-phase parameter of this job`);
    runtime.paths[name] = s;
  }

  // application
  const a = obj(t.application, ["application"], ["configs", "setup", "start", "ready", "readyTimeoutS"], "target.application");
  const configs: ConfigFileSpec[] = list(a.configs, ["application", "configs"]).map((c, i) => {
    const path: TargetPath = ["application", "configs", i];
    const o = obj(c, path, ["path", "format", "template"], "a config file");
    const file = str(o.path, [...path, "path"], ABS, "an absolute guest path such as /etc/redis/redis.conf");
    cpioName(file);
    const format = o.format ?? "raw";
    if (!["redis", "nginx", "sql", "raw"].includes(format as string)) fail([...path, "format"], `format ${quote(format)} is not valid; expected redis, nginx, sql or raw`);
    const template = typeof o.template === "string" ? o.template : fail([...path, "template"], `expected the file's template as a string, got ${quote(o.template)}`);
    if (params) {
      for (const name of placeholders(template)) {
        if (!phaseOf.has(name)) fail([...path, "template"], `placeholder {{${name}}} is not a parameter of this job`);
        if (phaseOf.get(name) !== "application") fail([...path, "template"], `placeholder {{${name}}} names a ${phaseOf.get(name)}-phase parameter; only application parameters go into config files`);
      }
    }
    return { path: file, format: format as ConfigFileSpec["format"], template };
  });
  const application: TargetSpec["application"] = {
    configs,
    setup: optStr(a.setup, ["application", "setup"]),
    start: optStr(a.start, ["application", "start"]),
    ready: optStr(a.ready, ["application", "ready"]),
    readyTimeoutS: num(a.readyTimeoutS, ["application", "readyTimeoutS"], 30, 1, 3600),
  };
  if (params) {
    const used = new Set(configs.flatMap((c) => placeholders(c.template)));
    for (const p of params) {
      if (p.phase === "application" && !used.has(p.name)) fail(["application", "configs"], `application parameter ${p.name} appears in no config template (add {{${p.name}}} where it belongs)`);
    }
  }

  // benchmark
  if (t.benchmark === undefined) fail(["benchmark"], "the target needs a benchmark section: { run: <shell run in the guest>, metrics: [{ name, pattern }] }");
  const bm = obj(t.benchmark, ["benchmark"], ["run", "metrics", "primary"], "target.benchmark");
  const metrics: MetricSpec[] = list(bm.metrics, ["benchmark", "metrics"]).map((m, i) => {
    const path: TargetPath = ["benchmark", "metrics", i];
    const o = obj(m, path, ["name", "pattern", "unit", "scale", "combine"], "a metric");
    const pattern = str(o.pattern, [...path, "pattern"]);
    let re: RegExp;
    try {
      re = new RegExp(pattern);
    } catch (e) {
      fail([...path, "pattern"], `not a valid regular expression: ${(e as Error).message}`);
    }
    if (new RegExp(re.source + "|").exec("")!.length < 2) fail([...path, "pattern"], `pattern ${quote(pattern)} has no capture group; put the number in ( )`);
    const combine = o.combine;
    if (combine !== undefined && !["mean", "sum", "min", "max", "first", "last"].includes(combine as string)) {
      fail([...path, "combine"], `combine ${quote(combine)} is not valid; expected mean, sum, min, max, first or last`);
    }
    return {
      name: str(o.name, [...path, "name"], /^[A-Za-z_][A-Za-z0-9_.-]*$/, "a metric name"),
      pattern,
      unit: optStr(o.unit, [...path, "unit"]),
      scale: o.scale === undefined ? undefined : num(o.scale, [...path, "scale"], 1, -1e12, 1e12, false),
      combine: combine as MetricSpec["combine"],
    };
  });
  if (metrics.length === 0) fail(["benchmark", "metrics"], "list at least one metric: { name, pattern } where the pattern's first ( ) group captures the number");
  const primary = (bm.primary as string | undefined) ?? opts.objective ?? metrics[0].name;
  if (!metrics.some((m) => m.name === primary)) {
    fail(["benchmark", bm.primary !== undefined ? "primary" : "metrics"], `the ${bm.primary !== undefined ? "primary metric" : "objective metric"} ${quote(primary)} is not one of the benchmark's metrics (${metrics.map((m) => m.name).join(", ")})`);
  }
  const benchmark: TargetSpec["benchmark"] = { run: arch === "riscv" ? "" : str(bm.run, ["benchmark", "run"]), metrics, primary };

  // timeouts
  const to = obj(t.timeouts, ["timeouts"], ["bootS", "totalS", "benchmarkS"], "target.timeouts");
  const timeouts: TargetSpec["timeouts"] = { bootS: num(to.bootS, ["timeouts", "bootS"], 120, 1, 3600), totalS: num(to.totalS, ["timeouts", "totalS"], 600, 1, 86400) };
  if (to.benchmarkS !== undefined) timeouts.benchmarkS = num(to.benchmarkS, ["timeouts", "benchmarkS"], 0, 1, 86400);
  if (timeouts.totalS < timeouts.bootS) fail(["timeouts", "totalS"], `totalS (${timeouts.totalS}) must be at least bootS (${timeouts.bootS})`);

  return { kernel, image, vm, boot, runtime, application, benchmark, timeouts };
}

/**
 * What a riscv guest cannot do: its /init is a static C program, not a shell (Debian has no riscv64
 * busybox), so nothing that needs a shell, packages or the x86 kernel package can be asked for. Each
 * problem names the field and what the riscv guest accepts instead.
 */
function riscvLimits(t: Record<string, unknown>, fail: Fail, params?: { name: string; phase: string }[]): void {
  const why = "the riscv guest's /init is a static C program that only measures the memory footprint (no shell: Debian has no riscv64 busybox)";
  const has = (section: string, key: string) => {
    const o = t[section];
    return o !== null && typeof o === "object" && (o as Record<string, unknown>)[key] !== undefined;
  };
  if (has("benchmark", "run")) {
    fail(["benchmark", "run"], `a riscv target cannot run a benchmark script: ${why}; remove benchmark.run and match its report with the metric patterns (${RISCV_REPORT_LINES})`);
  }
  for (const key of ["setup", "start", "ready", "configs"]) {
    if (has("application", key)) fail(["application", key], `a riscv target cannot run application.${key}: ${why}; only boot parameters and compile-time options can vary`);
  }
  if (has("kernel", "package")) fail(["kernel", "package"], "a riscv target boots the kernel of target.build (arch: riscv) or target.kernel.path; Debian's kernel packages here are x86");
  if (has("kernel", "modules") && Array.isArray((t.kernel as Record<string, unknown>).modules) && ((t.kernel as Record<string, unknown>).modules as unknown[]).length > 0) {
    fail(["kernel", "modules"], `a riscv target loads no modules (${why}); build what it needs into the kernel`);
  }
  for (const key of ["packages", "binaries", "paths", "files", "initrd"]) {
    const o = t.image as Record<string, unknown> | undefined;
    const val = o?.[key];
    const empty = val === undefined || (Array.isArray(val) && val.length === 0) || (val !== null && typeof val === "object" && !Array.isArray(val) && Object.keys(val).length === 0);
    if (!empty) fail(["image", key], `a riscv target's initramfs holds only the static /init; image.${key} must be empty or absent`);
  }
  if (has("runtime", "paths") && Object.keys((t.runtime as Record<string, Record<string, unknown>>).paths).length > 0) {
    fail(["runtime", "paths"], `a riscv target writes no runtime parameters (${why}); vary boot or compile-time parameters`);
  }
  const bad = (params ?? []).find((p) => p.phase === "runtime" || p.phase === "application");
  if (bad) fail(["vm", "arch"], `parameter ${bad.name} is ${bad.phase}-phase, which a riscv target cannot apply (${why}); valid phases for riscv: boot, compile`);
}
