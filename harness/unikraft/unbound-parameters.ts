/**
 * Parameters of a Unikraft job that reach nothing: not a Kconfig value, and not named by any rootfs
 * template, application argument or benchmark argument. Varying one would record differences the
 * system never saw, so the evaluator refuses such a job before the first build. Pure.
 */
import { placeholders } from "../vm/render-config";
import type { UnikraftTarget } from "./unikraft-target";

export function unboundParameters(target: UnikraftTarget, parameters: readonly { name: string; phase: string }[]): string[] {
  const used = new Set<string>([
    ...(target.rootfs?.files ?? []).flatMap((f) => placeholders(f.template)),
    ...target.appArgs.flatMap((a) => placeholders(a)),
    ...target.benchmark.argv.flatMap((a) => placeholders(a)),
  ]);
  const notKconfig = new Set(target.build.notKconfig);
  return parameters
    .filter((p) => (p.phase === "compile" ? notKconfig.has(p.name) : true) && !used.has(p.name))
    .map((p) => p.name);
}
