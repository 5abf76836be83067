/**
 * Where the user's Unikraft checkout is, resolved from the target section and the environment: the
 * root ($WAYFINDER_UNIKRAFT_DIR unless the section names one; "${VAR}" is expanded), the app, the core
 * and the libraries, as absolute paths. Pure over the given environment; existence is checked separately.
 */
import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { WayfinderError, quote } from "../../lib/errors";
import { UNIKRAFT_DIR_ENV, type UnikraftCheckout } from "./unikraft-target";

export interface UnikraftPaths {
  root: string;
  app: string;
  core: string;
  libsDir: string;
  /** Absolute directories of checkout.libs, in order. */
  libs: string[];
}

export function resolveUnikraftPaths(checkout: UnikraftCheckout, env: Record<string, string | undefined> = process.env): UnikraftPaths {
  const expand = (p: string, field: string) =>
    p.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (!v) throw new WayfinderError(`target.checkout.${field}: ${quote(p)} uses \${${name}}, which is not set in the environment`);
      return v;
    });
  const rootText = checkout.root !== undefined ? expand(checkout.root, "root") : env[UNIKRAFT_DIR_ENV];
  if (!rootText) {
    throw new WayfinderError(`no Unikraft checkout: set ${UNIKRAFT_DIR_ENV} to the directory holding the Unikraft core, libs and apps (e.g. ${UNIKRAFT_DIR_ENV}=$HOME/unikraft), or give target.checkout.root`);
  }
  const root = resolve(rootText);
  const under = (p: string, field: string) => {
    const e = expand(p, field);
    return isAbsolute(e) ? resolve(e) : resolve(join(root, e));
  };
  const libsDir = under(checkout.libsDir, "libsDir");
  return {
    root,
    app: under(checkout.app, "app"),
    core: under(checkout.core, "core"),
    libsDir,
    libs: checkout.libs.map((l) => join(libsDir, l)),
  };
}

/** Throw one error listing every missing piece of the checkout (directories and the app's Makefile). */
export function assertUnikraftCheckout(paths: UnikraftPaths): void {
  const problems: string[] = [];
  const dir = (p: string, what: string) => {
    if (!existsSync(p) || !statSync(p).isDirectory()) problems.push(`${what} ${p} is not a directory`);
  };
  dir(paths.root, "the checkout root");
  dir(paths.core, "the Unikraft core (checkout.core)");
  dir(paths.app, "the application (checkout.app)");
  if (existsSync(paths.app) && !existsSync(join(paths.app, "Makefile"))) problems.push(`the application ${paths.app} has no Makefile`);
  if (existsSync(paths.core) && !existsSync(join(paths.core, "Config.uk"))) problems.push(`${paths.core} has no Config.uk: it is not a Unikraft core checkout`);
  for (const l of paths.libs) dir(l, "the library");
  if (problems.length) throw new WayfinderError(`the Unikraft checkout is incomplete:\n  ${problems.join("\n  ")}`);
}
