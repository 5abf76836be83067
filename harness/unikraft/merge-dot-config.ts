/**
 * Write requested values into a .config text: a line already holding the symbol (set or "is not set")
 * is replaced where it stands, the others are appended under a marker comment. Pure, so the exact file
 * `make olddefconfig` will read is unit-tested; olddefconfig then resolves dependencies and defaults.
 */
import { renderConfigFragment } from "../../lib/kconfig";

export const MERGE_MARKER = "# wayfinder: values of this permutation";

export function mergeDotConfig(base: string, values: Record<string, string>): string {
  const pending = new Map(Object.entries(values));
  const lines = base === "" ? [] : base.replace(/\n$/, "").split("\n");
  const out = lines.map((line) => {
      const m = /^CONFIG_([A-Za-z0-9_]+)=/.exec(line) ?? /^# CONFIG_([A-Za-z0-9_]+) is not set\s*$/.exec(line);
      if (!m || !pending.has(m[1]!)) return line;
      const v = pending.get(m[1]!)!;
      pending.delete(m[1]!);
      return renderConfigFragment({ [m[1]!]: v }).trimEnd();
    });
  if (pending.size) out.push(...(lines.includes(MERGE_MARKER) ? [] : [MERGE_MARKER]), ...renderConfigFragment(Object.fromEntries(pending)).trimEnd().split("\n"));
  return out.length ? out.join("\n") + "\n" : "";
}
