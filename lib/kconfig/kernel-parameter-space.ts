/**
 * Boot-time parameter space entries from kernel-parameters.txt. Only what the documentation pins down
 * becomes a searchable parameter: flags (present or absent) and parameters whose Format lists the
 * values (`{ force | on | off }`, `<on|off>`). Everything else (sizes, lists, addresses, integers
 * without a documented range) is returned in `left` with the reason, for a range probe or a human.
 */
import type { Parameter } from "../space/parameter";
import type { KernelParameter } from "./parse-kernel-parameters";

export interface KernelParameterSpaceOptions {
  /** Keep only entries carrying one of these tags (e.g. ["KNL"]); default: all entries. */
  tags?: string[];
}

export interface KernelParameterSpace {
  parameters: Parameter[];
  left: { name: string; line: number; reason: string }[];
}

export function kernelParameterSpace(entries: KernelParameter[], options: KernelParameterSpaceOptions = {}): KernelParameterSpace {
  const parameters: Parameter[] = [];
  const left: KernelParameterSpace["left"] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    if (options.tags && !e.tags.some((t) => options.tags!.includes(t))) continue;
    if (!/^[A-Za-z0-9_.-]+$/.test(e.name)) {
      left.push({ name: e.name, line: e.line, reason: `the name ${e.name} is a pattern, not one parameter` });
      continue;
    }
    if (seen.has(e.name)) continue; // documented twice (crashkernel=...): the first entry stands
    seen.add(e.name);
    const description = e.description.slice(0, 200);
    if (e.value === "none") {
      parameters.push({ name: e.name, phase: "boot", type: "boolean", default: "n", description });
      continue;
    }
    const values = enumeratedValues(e.format);
    if (values) {
      parameters.push({ name: e.name, phase: "boot", type: "choice", values, description });
      continue;
    }
    left.push({ name: e.name, line: e.line, reason: e.format ? `value format ${e.format} has no finite documented domain` : "no documented value format" });
  }
  return { parameters, left };
}

/** `{ a | b | c }` or `<a|b>` or `a|b` with plain words only; undefined for anything else. */
function enumeratedValues(format: string | undefined): string[] | undefined {
  if (!format) return undefined;
  const m = /^\{(.*)\}$/.exec(format.trim()) ?? /^<(.*)>$/.exec(format.trim()) ?? /^([^<>{}[\]]*\|[^<>{}[\]]*)$/.exec(format.trim());
  if (!m) return undefined;
  const values = m[1]!.split("|").map((v) => v.trim());
  if (values.length < 2 || !values.every((v) => /^(?=.*[A-Za-z0-9])[A-Za-z0-9_.-]+$/.test(v))) return undefined;
  return [...new Set(values)];
}
