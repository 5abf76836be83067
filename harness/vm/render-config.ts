/**
 * Application parameters reach the application through its own config file, rendered on the host from
 * the job's template. Each format quotes values its own way so that no value can add a directive, a
 * statement or a line: the file's structure is the template's, whatever the values are.
 */
import type { ConfigFileSpec } from "./target";

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;
const PLAIN = /^[A-Za-z0-9_.:+-]+$/;

/** Names used as {{placeholders}} in a template, in order of first use. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** The quoted form of a value in one format, or an explanation of why it cannot be written. */
export function quoteValue(format: ConfigFileSpec["format"], value: number | string): { text: string } | { problem: string } {
  const v = String(value);
  if (v.includes("\0")) return { problem: "contains a NUL byte" };
  if (PLAIN.test(v)) return { text: v };
  switch (format) {
    case "raw":
      return { problem: "is not a plain token (letters, digits, _ . : + -), which this config format requires" };
    case "redis":
      // redis.conf arguments are split by sdssplitargs, which understands "..." with C-style escapes.
      return {
        text: '"' + v.replace(/[\\"]/g, (c) => "\\" + c).replace(/[\x00-\x1f\x7f]/g, (c) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0")) + '"',
      };
    case "nginx":
      // nginx quoted strings end only at an unescaped quote; ";" "{" "}" and newlines inside are data.
      return { text: '"' + v.replace(/[\\"]/g, (c) => "\\" + c) + '"' };
    case "sql":
      if (/^-?\d+(\.\d+)?$/.test(v)) return { text: v };
      return { text: "'" + v.replace(/'/g, "''") + "'" };
  }
}

export type RenderResult =
  | { ok: true; content: string }
  | { ok: false; rejected: { name: string; problem: string }[] };

/** Render one config file; every placeholder must have a value (the validator checks templates against the space). */
export function renderConfig(spec: ConfigFileSpec, values: Record<string, number | string>): RenderResult {
  const rejected: { name: string; problem: string }[] = [];
  const content = spec.template.replace(PLACEHOLDER, (_m, name: string) => {
    if (!(name in values)) {
      rejected.push({ name, problem: "has no value in the configuration" });
      return "";
    }
    const q = quoteValue(spec.format, values[name]);
    if ("problem" in q) {
      rejected.push({ name, problem: q.problem });
      return "";
    }
    return q.text;
  });
  return rejected.length > 0 ? { ok: false, rejected } : { ok: true, content };
}
