/**
 * The type of a runtime parameter inferred from the text of its file (Table 1's runtime column):
 *   0 or 1                         -> boolean (whether it really is two-valued is settled by probing 2)
 *   another integer                -> integer (range probed in the guest)
 *   several integers (tab/space)   -> tuple: kept whole as a fixed value, because the runner writes one
 *                                     string per parameter and the components are rarely independent
 *                                     (kernel.printk, ip_local_port_range: min < max)
 *   sysfs "a [b] c"                -> choice among the listed words, the bracketed one the default
 *   anything else                  -> string (fixed)
 *   a file root may write but not read (vm.drop_caches) -> write-only: a trigger, not a setting
 */
export type RuntimeType =
  | { kind: "boolean"; default: 0 | 1 }
  | { kind: "integer"; default: bigint }
  | { kind: "tuple"; default: string; parts: bigint[] }
  | { kind: "choice"; default: string; values: string[] }
  | { kind: "string"; default: string }
  | { kind: "write-only" };

const INTEGER = /^-?[0-9]+$/;

/** `content` undefined means the file could not be read. */
export function inferRuntimeType(content: string | undefined): RuntimeType {
  if (content === undefined) return { kind: "write-only" };
  const text = content.replace(/\n+$/, "");
  const trimmed = text.trim();
  if (INTEGER.test(trimmed) && !/\n/.test(text)) {
    // "-0" or "007" would not read back as written: only canonical spellings are integers
    const n = BigInt(trimmed);
    if (n.toString() === trimmed) return n === 0n || n === 1n ? { kind: "boolean", default: Number(n) as 0 | 1 } : { kind: "integer", default: n };
  }
  const words = trimmed.split(/[ \t]+/);
  if (words.length > 1 && !/\n/.test(text) && words.every((w) => INTEGER.test(w))) {
    return { kind: "tuple", default: words.join("\t"), parts: words.map((w) => BigInt(w)) };
  }
  if (words.length > 1 && !/\n/.test(text)) {
    const bracketed = words.filter((w) => /^\[[^\][]+\]$/.test(w));
    if (bracketed.length === 1 && words.every((w) => /^\[?[A-Za-z0-9_.:+-]+\]?$/.test(w))) {
      const values = words.map((w) => w.replace(/^\[|\]$/g, ""));
      return { kind: "choice", default: bracketed[0]!.slice(1, -1), values };
    }
  }
  return { kind: "string", default: text };
}
