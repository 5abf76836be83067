/**
 * The Kconfig values one permutation asks for, as a pure function of the target's build section and the
 * configuration: the section's fixed values, then each compile-time parameter either as its own symbol
 * (or the symbol build.options names), or, for a parameter in build.choices, the set of values its
 * value selects (ALLOCATOR=tlsf -> LIBTLSF=y, LIBUKALLOCBBUDDY=n, ...). Two sources asking for
 * different values of one symbol is a conflict the caller classifies as a bad configuration.
 */
import { WayfinderError, quote } from "../../lib/errors";
import type { RequestedValue } from "../../lib/kconfig";
import type { Config } from "../../lib/search/searcher";
import type { UnikraftBuildSpec } from "./unikraft-target";

export interface KconfigRequest {
  /** Symbol (without CONFIG_) -> requested value. */
  values: Record<string, RequestedValue>;
  /** Symbol -> what asked for it ("build.kconfig", "parameter HZ", "parameter ALLOCATOR=tlsf"). */
  origin: Record<string, string>;
  /** Human-readable conflicts between two sources; non-empty means the configuration cannot be built. */
  conflicts: string[];
}

export function unikraftKconfigRequest(build: UnikraftBuildSpec, compileParams: readonly string[], config: Config): KconfigRequest {
  const values: Record<string, RequestedValue> = {};
  const origin: Record<string, string> = {};
  const conflicts: string[] = [];
  const set = (symbol: string, value: RequestedValue, from: string) => {
    if (symbol in values && String(values[symbol]) !== String(value)) {
      conflicts.push(`${symbol}: ${origin[symbol]} asks for ${quote(values[symbol])} but ${from} asks for ${quote(value)}`);
      return;
    }
    values[symbol] = value;
    origin[symbol] = from;
  };
  for (const [symbol, value] of Object.entries(build.kconfig)) set(symbol, value, "build.kconfig");
  const notKconfig = new Set(build.notKconfig);
  for (const name of compileParams) {
    if (!(name in config) || notKconfig.has(name)) continue; // an inactive (conditional) parameter keeps the Kconfig default
    const value = config[name]!;
    const choice = build.choices[name];
    if (choice) {
      const sets = choice[String(value)];
      if (!sets) {
        throw new WayfinderError(`target.build.choices.${name} has no entry for the value ${quote(value)}; valid: ${Object.keys(choice).join(", ")}`);
      }
      for (const [symbol, v] of Object.entries(sets)) set(symbol, v, `parameter ${name}=${value}`);
      continue;
    }
    set(build.options[name] ?? name, value, `parameter ${name}`);
  }
  return { values, origin, conflicts };
}
