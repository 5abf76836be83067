/**
 * Which requested values did not survive `make olddefconfig`. olddefconfig exits 0 even when it
 * silently drops a value (unmet dependency, symbol without a prompt) or resets it (out of range, a
 * select forcing it on), so the resulting .config must be compared with the request.
 */
import type { KconfigTree } from "./types";

export interface DroppedValue {
  name: string;
  requested: string;
  /** The value in the resulting .config; undefined when the symbol is not there at all (invisible). */
  actual?: string;
  /** Why, when the Kconfig tree tells (unmet dependency, out of range, no prompt, selected by ...). */
  reason?: string;
}

/** Requested values (.config spelling) that the resulting .config does not hold. */
export function droppedConfigValues(requested: Record<string, string>, result: Map<string, string>): DroppedValue[] {
  const dropped: DroppedValue[] = [];
  for (const [name, want] of Object.entries(requested)) {
    const got = result.get(name);
    if (sameConfigValue(want, got)) continue;
    dropped.push({ name, requested: want, ...(got !== undefined ? { actual: got } : {}) });
  }
  return dropped;
}

/** An absent symbol counts as n; numbers compare by value (0x10 = 0x0010). */
export function sameConfigValue(want: string, got: string | undefined): boolean {
  if (got === undefined) return want === "n";
  if (want === got) return true;
  const num = (s: string) => (/^-?\d+$/.test(s) || /^0x[0-9a-f]+$/i.test(s) ? BigInt(s) : undefined);
  const a = num(want);
  const b = num(got);
  return a !== undefined && a === b;
}

/** Add a reason to each dropped value from what the tree says about the symbol. */
export function explainDroppedValues(tree: KconfigTree, dropped: DroppedValue[]): DroppedValue[] {
  const selectedBy = new Map<string, string[]>();
  for (const sym of tree.symbols.values()) {
    for (const d of sym.definitions) for (const s of d.selects) {
      const list = selectedBy.get(s.value) ?? [];
      if (!list.includes(sym.name)) list.push(sym.name);
      selectedBy.set(s.value, list);
    }
  }
  return dropped.map((d) => {
    const sym = tree.symbols.get(d.name);
    if (!sym) return { ...d, reason: "not a symbol of this tree" };
    const reasons: string[] = [];
    const deps = [...new Set(sym.definitions.flatMap((def) => [...def.enclosing, ...def.dependsOn]))];
    if (d.actual === undefined) reasons.push(deps.length ? `its dependencies are unmet (depends on ${deps.join(" && ")})` : "it is not visible in this configuration");
    if (!sym.definitions.some((def) => def.prompt)) reasons.push("it has no prompt, so its value is computed from defaults and selects, not set by the user");
    if ((sym.type === "int" || sym.type === "hex") && d.actual !== undefined) {
      const ranges = sym.definitions.flatMap((def) => def.ranges).filter((r) => !r.condition);
      const lit = (s: string) => (/^-?\d+$/.test(s) || /^0x[0-9a-f]+$/i.test(s) ? BigInt(s) : undefined);
      for (const r of ranges) {
        const lo = lit(r.low), hi = lit(r.high), v = lit(d.requested);
        if (lo !== undefined && hi !== undefined && v !== undefined && (v < lo || v > hi)) reasons.push(`${d.requested} is outside its range [${r.low}, ${r.high}]`);
      }
    }
    if (d.requested === "n" && d.actual !== undefined && d.actual !== "n") {
      const by = selectedBy.get(d.name);
      if (by?.length) reasons.push(`it may be forced on by select from ${by.slice(0, 5).join(", ")}${by.length > 5 ? ", ..." : ""}`);
    }
    if (d.requested === "m" && d.actual === "y") reasons.push("modules are off (MODULES=n) or something selects it as built-in");
    return reasons.length ? { ...d, reason: reasons.join("; ") } : d;
  });
}
