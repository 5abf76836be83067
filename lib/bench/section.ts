/**
 * BENCHMARKS.md is shared by several benchmark commands; each owns one section delimited by
 * `<!-- BEGIN name -->` / `<!-- END name -->` and rewrites only that section, so reruns never clobber
 * the others' figures.
 */
import { existsSync, readFileSync, writeFileSync, renameSync } from "node:fs";

export function replaceSection(document: string, name: string, body: string): string {
  const begin = `<!-- BEGIN ${name} -->`;
  const end = `<!-- END ${name} -->`;
  const block = `${begin}\n${body.trim()}\n${end}`;
  const i = document.indexOf(begin);
  const j = document.indexOf(end);
  if (i >= 0 && j > i) return document.slice(0, i) + block + document.slice(j + end.length);
  return document.trimEnd() + "\n\n" + block + "\n";
}

/** Rewrite one section of a markdown file in place (written to a temporary file, then renamed). */
export function writeBenchmarkSection(file: string, name: string, body: string): void {
  const before = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, replaceSection(before, name, body));
  renameSync(tmp, file);
}
