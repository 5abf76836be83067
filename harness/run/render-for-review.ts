/**
 * What a configuration looks like to the system under test, rebuilt with the harness's own renderers, so
 * `best` diffs exactly what was measured. A Linux guest (the VM harness's config layer): the runtime
 * files and values, the kernel command line and the rendered application configs. A Unikraft unikernel
 * (the Unikraft driver's renderers): the Kconfig values merged into the app's .config, the unikernel's
 * command line, the initrd files and the host-side benchmark command.
 */
import { WayfinderError } from "../../lib/errors";
import { renderConfigFragment } from "../../lib/kconfig";
import type { Config } from "../../lib/search/searcher";
import { renderArgs, renderRootfsFiles, spellKconfigValue, unikraftCommandLine, unikraftKconfigRequest, type UnikraftTarget } from "../unikraft/index";
import { buildConfigLayer } from "../vm/config-layer";
import type { ParamBinding } from "../vm/evaluator";
import type { TargetSpec } from "../vm/target";
import type { RenderedConfig } from "./best-report";

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
