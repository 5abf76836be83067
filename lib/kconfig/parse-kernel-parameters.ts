/**
 * Reader for Documentation/admin-guide/kernel-parameters.txt: the kernel's list of boot-time (command
 * line) parameters. An entry starts on a line with exactly one leading tab followed by the parameter's
 * syntax (`acpi=`, `nosmp`, `cma=nn[MG]@[start[MG][-end[MG]]]`, `dyndbg[="val"]`), usually followed by
 * its tags in brackets (`[KNL,X86]`, sometimes on the next line); the description follows, indented by
 * more tabs, with an optional `Format:` line.
 */
import { WayfinderError } from "../errors";

export interface KernelParameter {
  /** The name as documented, e.g. "acpi", "acpi.debug_layer", "<module>.dyndbg", "db9.dev[2|3]". */
  name: string;
  /** The first token of the entry as written, e.g. "cma=nn[MG]@[start[MG][-end[MG]]]". */
  syntax: string;
  /** "required" for `name=...`, "optional" for `name[=...]`, "none" for a flag. */
  value: "required" | "optional" | "none";
  /** Value syntax written after the `=` of the entry line, or the description's `Format:` text. */
  format?: string;
  /** Tags such as KNL (kernel core), X86, NET, BOOT; BUGS=X86 is kept as written. */
  tags: string[];
  /** 1-based line of the entry in the file. */
  line: number;
  /** The description text (tabs and line breaks collapsed). */
  description: string;
}

const ENTRY = /^\t(\S.*)$/;
/** Bracket contents that are tags rather than a value syntax: upper case words, digits, -, _, =, x86_64. */
const TAG_LIST = /^\s*[A-Z0-9][A-Za-z0-9_=-]*(\s*[,;]\s*[A-Z0-9][A-Za-z0-9_=-]*)*\s*$/;

export function parseKernelParameters(text: string, file = "kernel-parameters.txt"): KernelParameter[] {
  const lines = text.split("\n");
  const starts: number[] = [];
  lines.forEach((l, i) => { if (ENTRY.test(l)) starts.push(i); });
  if (starts.length === 0) {
    throw new WayfinderError(`${file}: no parameter entries found (expected lines starting with one tab and a parameter name, as in Documentation/admin-guide/kernel-parameters.txt)`);
  }
  const out: KernelParameter[] = [];
  starts.forEach((start, k) => {
    const end = k + 1 < starts.length ? starts[k + 1]! : lines.length;
    // The list ends where the file's unindented epilogue begins.
    let stop = start + 1;
    while (stop < end && !/^\S/.test(lines[stop]!)) stop++;
    out.push(readEntry(lines, start, stop));
  });
  return out;
}

function readEntry(lines: string[], start: number, stop: number): KernelParameter {
  const head = lines[start]!.slice(1);
  let token = head.split(/\s/)[0]!;
  let rest = head.slice(token.length);
  // `fail_make_request=[KNL]`: tags written straight after the `=`.
  const glued = /^(.*=)\[([^\]]*)\]$/.exec(token);
  if (glued && TAG_LIST.test(glued[2]!)) {
    token = glued[1]!;
    rest = `[${glued[2]}]${rest}`;
  }
  // `nfs.send_implementation_id =`: the `=` separated from the name by blanks.
  const spacedEq = /^\s+=(?=\s|$)/.exec(rest);
  if (spacedEq && !token.includes("=")) {
    token += "=";
    rest = rest.slice(spacedEq[0].length);
  }
  let tags: string[] | undefined;
  const onLine = /^\s*\[([^\]]*)\]/.exec(rest);
  if (onLine && TAG_LIST.test(onLine[1]!)) {
    tags = splitTags(onLine[1]!);
    rest = rest.slice(onLine[0].length);
  }
  const body = lines.slice(start + 1, stop).map((l) => l.trim());
  if (!tags) {
    const first = body.findIndex((l) => l !== "");
    const next = first >= 0 ? /^\[([^\]]*)\]/.exec(body[first]!) : null;
    if (next && TAG_LIST.test(next[1]!)) {
      tags = splitTags(next[1]!);
      body[first] = body[first]!.slice(next[0].length).trim();
    }
  }
  const description = [rest.trim(), ...body].filter((l) => l !== "").join(" ").replace(/\s+/g, " ");

  let name = token;
  let value: KernelParameter["value"] = "none";
  let format: string | undefined;
  const optional = token.indexOf("[=");
  const eq = token.indexOf("=");
  if (optional >= 0 && (eq < 0 || optional < eq)) {
    name = token.slice(0, optional);
    value = "optional";
    format = token.slice(optional + 2).replace(/\]$/, "") || undefined;
  } else if (eq >= 0) {
    name = token.slice(0, eq);
    value = "required";
    format = token.slice(eq + 1) || undefined;
  }
  if (value !== "none" && !format) {
    const at = body.findIndex((l) => /Format:/.test(l));
    if (at >= 0) {
      let f = /Format:\s*(.*)$/.exec(body[at]!)![1]!.trim();
      // `Format: { force | on | off |` continues until the brace closes
      for (let k = at + 1; f.includes("{") && !f.includes("}") && k < body.length && body[k] !== ""; k++) f += ` ${body[k]}`;
      format = f || undefined;
    }
  }
  return { name, syntax: token, value, ...(format ? { format } : {}), tags: tags ?? [], line: start + 1, description };
}

function splitTags(s: string): string[] {
  return s.split(/[,;]/).map((t) => t.trim()).filter(Boolean);
}
