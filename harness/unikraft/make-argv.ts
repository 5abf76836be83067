/**
 * The `make` command lines of a Unikraft build, as pure functions: run without a shell (execa with an
 * argv), so no path or value is ever interpreted by one. Unikraft apps take UK_ROOT, UK_LIBS and LIBS
 * (colon-separated library directories) as make variables.
 */
import { WayfinderError, quote } from "../../lib/errors";
import type { UnikraftPaths } from "./unikraft-paths";

export type MakeGoal = "olddefconfig" | "build";

export function unikraftMakeArgv(paths: UnikraftPaths, goal: MakeGoal, opts: { jobs: number; makeVariables?: Record<string, string> }): { file: string; args: string[] } {
  for (const l of paths.libs) if (l.includes(":")) throw new WayfinderError(`library path ${quote(l)} contains ":", which LIBS uses as its separator`);
  const vars = Object.entries(opts.makeVariables ?? {}).map(([k, v]) => {
    if (/[\n\0]/.test(v)) throw new WayfinderError(`make variable ${k}: the value must not contain a newline or NUL`);
    return `${k}=${v}`;
  });
  if (!Number.isInteger(opts.jobs) || opts.jobs < 1) throw new WayfinderError(`make -j ${quote(opts.jobs)}: expected a positive integer`);
  return {
    file: "make",
    args: [
      "-C", paths.app,
      `UK_ROOT=${paths.core}`,
      `UK_LIBS=${paths.libsDir}`,
      ...(paths.libs.length ? [`LIBS=${paths.libs.join(":")}`] : []),
      ...vars,
      ...(goal === "olddefconfig" ? ["olddefconfig"] : [`-j${opts.jobs}`]),
    ],
  };
}
