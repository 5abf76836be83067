/**
 * The unikernel's command line and the benchmark tool's argv, as pure functions of the target and the
 * configuration. Unikraft reads `<library parameters> -- <application arguments>`. Parameter values
 * replace {{NAME}} placeholders only when they are plain tokens (no blank, quote or shell character),
 * so a value can never add an argument or split one.
 */
import { WayfinderError, quote } from "../../lib/errors";
import type { Config } from "../../lib/search/searcher";

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;
const TOKEN = /^[A-Za-z0-9_.:+,\/=@%-]+$/;

/** Replace {{NAME}} in each template with the configuration's value (or `extra`'s, e.g. PORT). */
export function renderArgs(templates: readonly string[], config: Config, extra: Record<string, string | number> = {}, what = "argument"): string[] {
  return templates.map((t, i) =>
    t.replace(PLACEHOLDER, (_m, name: string) => {
      const v = name in extra ? extra[name] : config[name];
      if (v === undefined) throw new WayfinderError(`${what} ${i + 1} ${quote(t)}: {{${name}}} has no value in this configuration (is the parameter inactive?)`);
      const s = String(v);
      if (!TOKEN.test(s)) throw new WayfinderError(`${what} ${i + 1} ${quote(t)}: the value ${quote(s)} of ${name} is not a plain token (letters, digits and _ . : + , / = @ % -), so it cannot be placed on a command line`);
      return s;
    }),
  );
}

/** `netArgs -- appArgs` (the separator only when there are application arguments). */
export function unikraftCommandLine(libraryArgs: readonly string[], appArgs: readonly string[]): string {
  for (const a of [...libraryArgs, ...appArgs]) if (/[\n\0]/.test(a)) throw new WayfinderError(`command-line argument ${quote(a)} contains a newline or NUL`);
  return [...libraryArgs, ...(appArgs.length ? ["--", ...appArgs] : [])].join(" ");
}
