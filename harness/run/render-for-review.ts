/**
 * What a configuration looks like to the guest, rebuilt with the VM harness's own config layer: the
 * runtime files and values, the kernel command line and the rendered application configs. `best` diffs
 * two of these, so the review shows exactly what the measured guest was given.
 */
import type { Config } from "../../lib/search/searcher";
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
