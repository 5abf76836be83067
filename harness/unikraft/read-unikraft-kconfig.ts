/**
 * The Kconfig symbols a Unikraft build can see: every Config.uk of the core, of each listed library and
 * of the app, read one file at a time with the project's Kconfig reader. Unikraft's top-level Config.uk
 * sources files its Makefile generates into build/ (the library list), so following source statements
 * from the top would need a configured build; reading each Config.uk on its own needs nothing but the
 * checkout and still gives every symbol's type, choices, ranges and dependencies.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { parseKconfig, type KconfigTree } from "../../lib/kconfig";
import type { UnikraftPaths } from "./unikraft-paths";

/** Config.uk files under `dir` (skipping build output and VCS directories), absolute, sorted. */
export function listConfigUk(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names.sort()) {
      if (n === ".git" || n === "build" || n === "node_modules") continue;
      const p = join(d, n);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (n === "Config.uk") out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function readUnikraftKconfig(paths: UnikraftPaths): KconfigTree {
  const files = [...listConfigUk(paths.core), ...paths.libs.flatMap(listConfigUk), ...(existsSync(join(paths.app, "Config.uk")) ? [join(paths.app, "Config.uk")] : [])];
  const root = paths.root;
  const rel = (f: string) => relative(root, f).split(sep).join("/");
  return parseKconfig({
    root,
    scope: "unikraft",
    entries: files.map(rel),
    followSource: false,
    env: { UK_BASE: paths.core, UK_APP: paths.app, UK_LIBS: paths.libsDir },
    source: {
      read: (p) => {
        try {
          return readFileSync(join(root, p), "utf8");
        } catch {
          return undefined;
        }
      },
      glob: () => [],
    },
  });
}
