/**
 * What a configuration looks like to the system under test, rebuilt with the harness's own renderers, so
 * `best` diffs exactly what was measured. A Linux guest (the VM harness's config layer): the runtime
 * files and values, the kernel command line and the rendered application configs. A Unikraft unikernel
 * (the Unikraft driver's renderers): the Kconfig values merged into the app's .config, the unikernel's
 * command line, the initrd files and the host-side benchmark command. A Linux job that builds its kernel
 * (`target.build`): also the compile-time options as the kernel builder writes them into .config.
 */
import { WayfinderError } from "../../lib/errors";
import { normalizeValue, renderConfigFragment, type KconfigType } from "../../lib/kconfig";
import type { Config } from "../../lib/search/searcher";
import type { ParameterType } from "../../lib/space/parameter";
import { renderArgs, renderRootfsFiles, spellKconfigValue, unikraftCommandLine, unikraftKconfigRequest, type UnikraftTarget } from "../unikraft/index";
import { buildConfigLayer } from "../vm/config-layer";
import type { ParamBinding } from "../vm/evaluator";
import type { TargetSpec } from "../vm/target";
import type { RenderedConfig } from "./best-report";
import { reviewConfig, type KernelBuildSpec, type RunnableJob } from "./runnable-job";

export function renderForReview(target: TargetSpec, params: ParamBinding[]): (config: Config) => RenderedConfig {
  const appPaths = new Set(target.application.configs.map((c) => c.path));
  return (config) => {
    const layer = buildConfigLayer(target, params, config);
    const data = new Map(layer.entries.map((e) => [e.path, e]));
    const text = (path: string) => {
      const e = data.get(path) as { data?: string | Uint8Array } | undefined;
      return e?.data === undefined ? "" : typeof e.data === "string" ? e.data : Buffer.from(e.data).toString("utf8");
    };
    const runtime: RenderedConfig["runtime"] = [];
    for (const [index, r] of [...layer.runtimeIndex.entries()].sort((a, b) => a[0] - b[0])) {
      const id = String(index).padStart(4, "0");
      runtime.push({ name: r.name, path: text(`/wf/rt/${id}.path`), value: r.value });
    }
    const files = [...appPaths].map((path) => ({ path, content: text(path) }));
    return { runtime, cmdline: layer.append, files };
  };
}

/** A renderer's WayfinderError shown in place of what could not be rendered (other errors are bugs). */
function problem(e: unknown): string {
  if (!(e instanceof WayfinderError)) throw e;
  return `(cannot be rendered: ${e.message})`;
}

/**
 * The Unikraft view of a configuration. The Kconfig lines are what the driver merges into the app's
 * .config for this configuration (harness/unikraft/kconfig-request.ts, spelled as .config spells them,
 * `# CONFIG_X is not set` for n), one per symbol in symbol order so two configurations diff line by
 * line; `make olddefconfig` may still adjust dependent symbols, which only a checkout can show. An
 * inactive conditional parameter has no line (the build keeps the Kconfig default).
 */
export function renderUnikraftForReview(target: UnikraftTarget, compileParams: readonly string[]): (config: Config) => RenderedConfig {
  return (config) => {
    let kconfig: string;
    try {
      const req = unikraftKconfigRequest(target.build, compileParams, config);
      if (req.conflicts.length) kconfig = `(cannot be built: ${req.conflicts.join("; ")})\n`;
      else {
        const symbols = Object.keys(req.values).sort();
        kconfig = renderConfigFragment(Object.fromEntries(symbols.map((s) => [s, spellKconfigValue(req.values[s]!)])));
      }
    } catch (e) {
      kconfig = problem(e) + "\n";
    }
    let cmdline: string;
    try {
      cmdline = unikraftCommandLine(target.net?.args ?? [], renderArgs(target.appArgs, config, {}, "appArgs"));
    } catch (e) {
      cmdline = problem(e);
    }
    const files: RenderedConfig["files"] = [];
    if (target.rootfs) {
      const r = renderRootfsFiles(target.rootfs.files, config as Record<string, string | number>);
      if (r.ok) files.push(...r.files.map((f) => ({ path: `initrd ${f.path}`, content: f.content })));
      else files.push({ path: "initrd files", content: `(cannot be rendered: ${r.problems.join("; ")})\n` });
    }
    let benchmark: string | undefined;
    if (target.benchmark.tool !== "console") {
      try {
        // the forwarded host port is chosen at run time: shown as PORT
        benchmark = [target.benchmark.tool, ...renderArgs(target.benchmark.argv, config, { PORT: "PORT" }, "benchmark.argv")].join(" ");
      } catch (e) {
        benchmark = problem(e);
      }
    }
    return { runtime: [], cmdline, files, kconfig, ...(benchmark !== undefined ? { benchmark } : {}) };
  };
}

/**
 * The Kconfig type a compile-time value is spelled with. The builder takes the type from the kernel's
 * Kconfig tree (normalizeConfigRequest), which a review does not have (no source tree needed): the
 * job's parameter type stands in for it. A boolean or tristate parameter spells y/m/n like a bool or
 * tristate symbol, an integer like an int symbol; a choice's values are read as .config spells them
 * (y/m/n, decimal, 0x-hex, else a quoted string). Known gap: an integer parameter bound to a hex
 * symbol is shown in decimal here while the builder writes it as 0x....
 */
function reviewKconfigType(type: ParameterType | undefined, value: string | number | boolean): KconfigType {
  if (type === "boolean" || type === "tristate") return "tristate";
  if (type === "integer") return "int";
  const s = String(value).trim();
  if (/^[ymn]$/.test(s)) return "tristate";
  if (/^-?\d+$/.test(s)) return "int";
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) return "hex";
  return "string";
}

/**
 * The compile-time part of a configuration as the kernel builder writes it on top of its base .config
 * (harness/build/kernel-builder.ts: the request's values in .config spelling, sorted by symbol, through
 * lib/kconfig's renderConfigFragment), one line per symbol so two configurations diff line by line. An
 * inactive conditional parameter has no line (the build keeps the base's value). `make olddefconfig`
 * never changed a value of a successful evaluation (a dropped value is a "config" outcome), so these
 * are also the values of the measured kernel's .config (where an n may be no line at all: a symbol
 * whose dependencies are off is left out).
 */
export function renderKernelBuildForReview(build: KernelBuildSpec, types: Record<string, ParameterType>): (config: Config) => string {
  return (config) => {
    const values: Record<string, string> = {};
    const problems: string[] = [];
    for (const [name, symbol] of Object.entries(build.options)) {
      const raw = config[name];
      if (raw === undefined || raw === null) continue;
      const v = normalizeValue(reviewKconfigType(types[name], raw), raw);
      if (v === undefined) problems.push(`${name}=${String(raw)} is not a ${types[name] ?? "Kconfig"} value`);
      else values[symbol] = v;
    }
    if (problems.length) return `(cannot be rendered: ${problems.join("; ")})\n`;
    const sorted = Object.keys(values).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return renderConfigFragment(Object.fromEntries(sorted.map((s) => [s, values[s]!])));
  };
}

/**
 * A Linux job as `best` and the end of `wayfinder run` show it: what the guest is given (renderForReview,
 * compile-time values left out since the VM layer knows nothing of builds) plus, when the job builds its
 * kernel, the Kconfig fragment of its compile-time options with the kernel's arch and base.
 */
export function renderRunnableJobForReview(rj: RunnableJob): (config: Config) => RenderedConfig {
  const guest = renderForReview(rj.target, rj.params);
  const build = rj.target.build;
  const types = Object.fromEntries(rj.job.parameters.map((p) => [p.name, p.type]));
  const kconfig = build ? renderKernelBuildForReview(build, types) : undefined;
  return (config) => {
    const r = guest(reviewConfig(rj, config));
    if (!build || !kconfig) return r;
    return { ...r, kconfig: kconfig(config), kernel: { arch: build.arch, base: build.base } };
  };
}
