/**
 * A YAML file kept with its syntax tree, so any problem found later (by the job validator, by the
 * harness checking its `target` section, by the space builder) can be reported at the right file, line
 * and column, with the offending value. Use `source.fail(path, message)` from any layer:
 *   source.fail(["target", "boot", "memory"], `memory ${quote(v)} is not valid; expected e.g. 512M`)
 * throws a WayfinderError "job.yaml:14:13: target.boot.memory: memory "12Q" is not valid; expected ...".
 */
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Document, type Node } from "yaml";
import { WayfinderError, quote } from "../../lib/errors";

export type JsonPath = (string | number)[];

export interface Location {
  line: number;
  column: number;
}

export class JobSource {
  readonly doc: Document.Parsed;
  private readonly lines: LineCounter;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.lines = new LineCounter();
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    const err = this.doc.errors[0];
    if (err) {
      const pos = this.lines.linePos(err.pos[0]);
      const msg = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      throw new WayfinderError(`${file}:${pos.line}:${pos.col}: not valid YAML: ${msg}`, { file, line: pos.line, column: pos.col });
    }
  }

  static read(file: string): JobSource {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new WayfinderError(`cannot read job file ${file}: ${(e as Error).message}`);
    }
    return new JobSource(file, text);
  }

  /** The plain JavaScript value of the document. */
  value(): unknown {
    return this.doc.toJS({ maxAliasCount: 1000 });
  }

  /** The YAML node at a path (or the nearest existing ancestor). */
  node(path: JsonPath, key = false): Node | null {
    let node: unknown = this.doc.contents;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
        if (!pair) return node as Node;
        if (key && i === path.length - 1) return pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number" && node.items[seg]) {
        node = node.items[seg];
      } else return (node as Node) ?? null;
    }
    return (node as Node) ?? null;
  }

  /** Line and column (1-based) of the value at `path`; `key` points at the mapping key instead. */
  locate(path: JsonPath, key = false, offset = 0): Location {
    const n = this.node(path, key);
    const at = n?.range ? n.range[0] + offset : 0;
    const p = this.lines.linePos(at);
    return { line: p.line, column: p.col };
  }

  /** `file:line:col: dotted.path: message` */
  describe(path: JsonPath, message: string, opts: { key?: boolean; offset?: number } = {}): string {
    const { line, column } = this.locate(path, opts.key, opts.offset);
    return `${this.file}:${line}:${column}: ${path.length ? formatPath(path) + ": " : ""}${message}`;
  }

  error(path: JsonPath, message: string, opts: { key?: boolean; offset?: number } = {}): WayfinderError {
    const { line, column } = this.locate(path, opts.key, opts.offset);
    return new WayfinderError(this.describe(path, message, opts), { file: this.file, line, column, path });
  }

  fail(path: JsonPath, message: string, opts: { key?: boolean; offset?: number } = {}): never {
    throw this.error(path, message, opts);
  }

  /** Character offset inside a scalar's source text where its value starts (1 for a quoted scalar). */
  valueStart(path: JsonPath): number {
    const n = this.node(path);
    return isScalar(n) && (n.type === "QUOTE_DOUBLE" || n.type === "QUOTE_SINGLE") ? 1 : 0;
  }
}

export function formatPath(path: JsonPath): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

export { quote };
