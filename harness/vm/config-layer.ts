/**
 * Everything that changes from one evaluation to the next goes into one small cpio appended to the
 * cached image: the runtime values (one file each), the application's rendered config files and the
 * job's scripts. The boot parameters become the kernel command line. Pure: the host-side checks
 * (unsafe boot values, unrenderable application values) happen here, before anything boots.
 */
import { fail, quote } from "../../lib/errors";
import { bootCommandLine, bootParamProblem } from "./boot-args";
import type { CpioEntry } from "./cpio";
import type { ParamBinding, ParamStatus } from "./evaluator";
import { renderConfig } from "./render-config";
import type { TargetSpec } from "./target";

const RUNTIME_PATH = /^\/(proc\/sys|sys)\/[A-Za-z0-9_.:+@-]+(\/[A-Za-z0-9_.:+@-]+)*$/;

/** The file a runtime parameter is written to: explicit, or a dotted sysctl name under /proc/sys. */
export function runtimePath(binding: ParamBinding, target?: TargetSpec): string {
  const explicit = binding.path ?? target?.runtime.paths[binding.name];
  const path = explicit ?? "/proc/sys/" + binding.name.split(".").join("/");
  if (!RUNTIME_PATH.test(path) || path.split("/").includes("..")) {
    fail(
      `runtime parameter ${quote(binding.name)} maps to ${quote(path)}, which is not a file under /proc/sys or /sys; ` +
        `give a path such as /proc/sys/net/core/somaxconn (no "..")`,
    );
  }
  return path;
}

export interface ConfigLayer {
  entries: CpioEntry[];
  append: string;
  /** Runtime parameter name by its index in the layer (the guest reports by index). */
  runtimeIndex: Map<number, { name: string; value: string; required: boolean }>;
  /** Parameters refused on the host (never sent to the guest), with the reason. */
  rejected: { name: string; problem: string; required: boolean }[];
  /** Application parameters rendered into config files (applied once the application is ready). */
  applicationNames: string[];
  /** Statuses known before boot (host-rejected parameters). */
  paramStatus: Record<string, ParamStatus>;
}

export function buildConfigLayer(target: TargetSpec, params: ParamBinding[], config: Record<string, number | string>): ConfigLayer {
  const byName = new Map(params.map((p) => [p.name, p]));
  for (const name of Object.keys(config)) {
    if (!byName.has(name)) fail(`configuration value for ${quote(name)} has no parameter binding (is it in the job's space?)`);
  }
  const entries: CpioEntry[] = [];
  const runtimeIndex = new Map<number, { name: string; value: string; required: boolean }>();
  const rejected: ConfigLayer["rejected"] = [];
  const paramStatus: Record<string, ParamStatus> = {};
  const boot: { name: string; value: number | string; flag?: boolean }[] = [];
  const appValues: Record<string, number | string> = {};

  let i = 0;
  for (const b of params) {
    if (!(b.name in config)) continue;
    const value = config[b.name];
    const required = b.required ?? true;
    if (b.phase === "runtime") {
      const index = i++;
      const id = String(index).padStart(4, "0");
      entries.push(
        { path: `/wf/rt/${id}.path`, type: "file", data: runtimePath(b, target) },
        { path: `/wf/rt/${id}.value`, type: "file", data: String(value) },
      );
      if (required) entries.push({ path: `/wf/rt/${id}.req`, type: "file", data: "" });
      runtimeIndex.set(index, { name: b.name, value: String(value), required });
    } else if (b.phase === "boot") {
      const flag = target.boot.flags.includes(b.name);
      const problem = bootParamProblem(b.name, value, flag);
      if (problem) {
        rejected.push({ name: b.name, problem, required });
        paramStatus[b.name] = "rejected";
      } else boot.push({ name: b.name, value, flag });
    } else {
      appValues[b.name] = value;
    }
  }

  for (const file of target.application.configs) {
    const r = renderConfig(file, appValues);
    if (r.ok) entries.push({ path: file.path, type: "file", data: r.content });
    else
      for (const x of r.rejected) {
        rejected.push({ name: x.name, problem: `value ${quote(appValues[x.name])} for ${file.path} ${x.problem}`, required: byName.get(x.name)?.required ?? true });
        paramStatus[x.name] = "rejected";
      }
  }

  const scripts: [string, string | undefined][] = [
    ["setup", target.application.setup],
    ["start", target.application.start],
    ["ready", target.application.ready],
    ["bench", target.benchmark.run],
  ];
  for (const [name, body] of scripts) if (body !== undefined) entries.push({ path: `/wf/${name}.sh`, type: "file", data: body, mode: 0o755 });
  entries.push({ path: "/wf/ready-timeout", type: "file", data: String(target.application.readyTimeoutS) });

  const applicationNames = Object.keys(appValues).filter((n) => !(n in paramStatus));
  return { entries, append: bootCommandLine(target.boot.args, boot), runtimeIndex, rejected, paramStatus, applicationNames };
}
