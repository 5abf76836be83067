/**
 * The unikernel's initrd (Unikraft mounts it as its root filesystem with LIBVFSCORE_ROOTFS_INITRD and
 * LIBCPIO): the app's rootfs directory plus the files rendered from the job's templates, written with
 * the project's deterministic newc writer (same inputs, same bytes), so it can be cached by content.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { WayfinderError, quote } from "../../lib/errors";
import { writeCpio, type CpioEntry } from "../vm/cpio";
import { renderConfig } from "../vm/render-config";
import type { ConfigFileSpec } from "../vm/target";

/** Every file, directory and symlink under `dir`, as cpio entries with guest paths ("/nginx/conf/..."). */
export function readRootfsDir(dir: string): CpioEntry[] {
  const out: CpioEntry[] = [];
  const walk = (rel: string) => {
    let names: string[];
    try {
      names = readdirSync(join(dir, rel)).sort();
    } catch (e) {
      throw new WayfinderError(`cannot read the rootfs directory ${quote(join(dir, rel))}: ${(e as Error).message}`);
    }
    for (const name of names) {
      const r = `${rel}/${name}`;
      const st = lstatSync(join(dir, r));
      if (st.isSymbolicLink()) out.push({ path: r, type: "symlink", target: readlinkSync(join(dir, r)) });
      else if (st.isDirectory()) {
        out.push({ path: r, type: "dir", mode: st.mode & 0o7777 });
        walk(r);
      } else if (st.isFile()) out.push({ path: r, type: "file", data: readFileSync(join(dir, r)), mode: st.mode & 0o7777 });
    }
  };
  walk("");
  return out;
}

export type RenderedFiles = { ok: true; files: { path: string; content: string }[] } | { ok: false; problems: string[] };

/** Render every template with the configuration; a value that cannot be written safely is a problem, not a file. */
export function renderRootfsFiles(specs: readonly ConfigFileSpec[], values: Record<string, number | string>): RenderedFiles {
  const files: { path: string; content: string }[] = [];
  const problems: string[] = [];
  for (const spec of specs) {
    const r = renderConfig(spec, values);
    if (r.ok) files.push({ path: spec.path, content: r.content });
    else for (const x of r.rejected) problems.push(`${spec.path}: {{${x.name}}} ${x.problem}`);
  }
  return problems.length ? { ok: false, problems } : { ok: true, files };
}

/** The initrd bytes: the directory's entries, then the rendered files (which replace same-named ones). */
export function rootfsCpio(dirEntries: readonly CpioEntry[], files: readonly { path: string; content: string }[]): Buffer {
  return writeCpio([...dirEntries, ...files.map((f): CpioEntry => ({ path: f.path, type: "file", data: f.content }))]);
}
