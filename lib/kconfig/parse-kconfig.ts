/**
 * A Kconfig reader: the language of Linux's (and Unikraft's, Zephyr's, ...) configuration menus,
 * read far enough to know every symbol, its type, prompts, dependencies, defaults, selects, ranges
 * and choice blocks. It follows source/rsource/osource/orsource (with `$(VAR)` macros and globs),
 * joins `\` continuation lines, strips `#` comments (also after `config NAME`) and skips help text by
 * indentation, the way scripts/kconfig and kconfiglib do. Expressions are kept as text.
 *
 * The reader is pure over a `KconfigSource` (file reads and globbing are injected), so it can be tested
 * on inline snippets; `readKconfigTree` binds it to a directory.
 */
import { posix } from "node:path";
import { WayfinderError, quote } from "../errors";
import type {
  KconfigChoice, KconfigConditional, KconfigDefinition, KconfigLocation, KconfigSymbol, KconfigTree, KconfigType,
} from "./types";

export interface KconfigSource {
  /** Text of a file given relative to the tree root, or undefined when there is no such file. */
  read(path: string): string | undefined;
  /** Files (relative to the root, sorted) matching a glob pattern such as `drivers/*\/Kconfig`. */
  glob(pattern: string): string[];
}

export interface ParseKconfigOptions {
  /** Absolute root of the tree, recorded in the result and used in messages. */
  root: string;
  /** Files to read, relative to the root, in order. */
  entries: string[];
  /** Recorded as KconfigTree.scope. */
  scope: string;
  /** Variables visible to `$(NAME)` when the Kconfig files do not define them (SRCARCH, ARCH, ...). */
  env: Record<string, string>;
  /**
   * Follow source statements (default true). False reads each entry file on its own, for counting
   * over every Kconfig* file, where following them would only revisit files.
   */
  followSource?: boolean;
  source: KconfigSource;
}

type Block =
  | { kind: "menu"; location: KconfigLocation; depth: number; dependsOn: string[] }
  | { kind: "if"; location: KconfigLocation; depth: number; condition: string }
  | { kind: "choice"; location: KconfigLocation; depth: number; index: number };

type Entry =
  | { kind: "symbol"; def: KconfigDefinition; symbol: KconfigSymbol }
  | { kind: "choice"; choice: KconfigChoice }
  | { kind: "menu"; block: Extract<Block, { kind: "menu" }> }
  | { kind: "comment"; dependsOn: string[] }
  | { kind: "mainmenu" };

const TYPE_WORDS: Record<string, KconfigType> = {
  bool: "bool", boolean: "bool", tristate: "tristate", string: "string", hex: "hex", int: "int",
};
const SOURCE_WORDS = new Set(["source", "rsource", "osource", "orsource", "gsource", "grsource"]);
const NAME = /^[A-Za-z0-9_]+$/;
const ASSIGNMENT = /^([A-Za-z0-9_-]+)\s*(:=|\+=|=)(.*)$/;

/** Read a Kconfig tree. Throws WayfinderError naming file:line:column on anything it cannot read. */
export function parseKconfig(options: ParseKconfigOptions): KconfigTree {
  return new Parser(options).run();
}

class Parser {
  private readonly symbols = new Map<string, KconfigSymbol>();
  private readonly choices: KconfigChoice[] = [];
  private readonly files: string[] = [];
  private readonly vars = new Map<string, string>();
  private readonly blocks: Block[] = [];
  private readonly chain: string[] = [];
  private mainmenu?: string;
  private entry?: Entry;

  constructor(private readonly opts: ParseKconfigOptions) {}

  run(): KconfigTree {
    for (const file of this.opts.entries) {
      const text = this.opts.source.read(file);
      if (text === undefined) throw new WayfinderError(`Kconfig file ${quote(file)} not found under ${this.opts.root}`);
      this.parseFile(file, text);
    }
    // Choice members without a type take the choice's type; a choice without a type takes the
    // type of its first typed member (scripts/kconfig/menu.c and kconfiglib agree on this).
    for (const choice of this.choices) {
      if (!choice.type) choice.type = choice.members.map((m) => this.symbols.get(m)!.type).find((t) => t);
      for (const m of choice.members) {
        const sym = this.symbols.get(m)!;
        if (!sym.type) sym.type = choice.type;
      }
    }
    return {
      root: this.opts.root, scope: this.opts.scope, files: this.files, symbols: this.symbols,
      choices: this.choices, ...(this.mainmenu !== undefined ? { mainmenu: this.mainmenu } : {}),
    };
  }

  private parseFile(file: string, text: string): void {
    if (this.chain.includes(file)) {
      throw new WayfinderError(`recursive source: ${[...this.chain, file].join(" -> ")}`);
    }
    this.chain.push(file);
    this.files.push(file);
    const depth = this.chain.length;
    const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
    let i = 0;
    while (i < lines.length) {
      const lineNo = i + 1;
      let line = lines[i++]!;
      while (line.endsWith("\\") && i < lines.length) line = line.slice(0, -1) + lines[i++]!;
      const at = { file, line: lineNo };
      const keywordEnd = this.statement(at, line);
      if (keywordEnd === "help") i = skipHelp(lines, i);
    }
    const open = this.blocks.filter((b) => b.depth === depth);
    if (open.length > 0) {
      const b = open[open.length - 1]!;
      throw new WayfinderError(`${b.location.file}:${b.location.line}: ${b.kind} is never closed in this file (expected end${b.kind})`);
    }
    this.entry = undefined;
    this.chain.pop();
  }

  /** Handle one logical line; returns "help" when help text follows. */
  private statement(at: KconfigLocation, raw: string): "help" | undefined {
    const assignment = ASSIGNMENT.exec(raw);
    if (assignment && !/^\s/.test(raw)) {
      const [, name, op, value] = assignment;
      const v = value!.trim();
      this.vars.set(name!, op === "+=" ? `${this.vars.get(name!) ?? ""} ${v}`.trim() : v);
      return undefined;
    }
    const line = stripComment(raw);
    const trimmed = line.trim();
    if (trimmed === "") return undefined;
    if (trimmed.startsWith("$(")) return undefined; // $(info,...), $(warning-if,...): no symbols
    const m = /^(---help---|[A-Za-z_][A-Za-z0-9_]*)(.*)$/.exec(trimmed);
    const column = line.length - line.trimStart().length + 1;
    if (!m) this.error(at, column, `cannot read ${quote(trimmed)}: expected a Kconfig keyword`);
    const word = m![1]!;
    const rest = m![2]!.trim();
    const restColumn = column + word.length + (m![2]!.length - m![2]!.trimStart().length);

    switch (word) {
      case "config":
      case "menuconfig": {
        if (!NAME.test(rest)) this.error(at, restColumn, `${word} needs one symbol name made of A-Z, a-z, 0-9 and _, got ${quote(rest)}`);
        let symbol = this.symbols.get(rest);
        if (!symbol) this.symbols.set(rest, (symbol = { name: rest, definitions: [] }));
        const inner = this.innermostMenuOrChoice();
        const def: KconfigDefinition = {
          location: at, menuconfig: word === "menuconfig", dependsOn: [], enclosing: this.enclosing(),
          defaults: [], selects: [], implies: [], ranges: [],
          ...(inner?.kind === "choice" ? { choice: inner.index } : {}),
        };
        if (inner?.kind === "choice") this.choices[inner.index]!.members.push(rest);
        symbol.definitions.push(def);
        this.entry = { kind: "symbol", def, symbol };
        return undefined;
      }
      case "choice": {
        if (rest !== "" && !NAME.test(rest)) this.error(at, restColumn, `choice takes an optional name, got ${quote(rest)}`);
        const choice: KconfigChoice = {
          ...(rest ? { name: rest } : {}), location: at, optional: false, members: [], defaults: [], dependsOn: [],
          enclosing: this.enclosing(),
        };
        this.choices.push(choice);
        this.blocks.push({ kind: "choice", location: at, depth: this.chain.length, index: this.choices.length - 1 });
        this.entry = { kind: "choice", choice };
        return undefined;
      }
      case "menu": {
        this.stringAt(at, restColumn, rest, "menu");
        const block = { kind: "menu" as const, location: at, depth: this.chain.length, dependsOn: [] as string[] };
        this.blocks.push(block);
        this.entry = { kind: "menu", block };
        return undefined;
      }
      case "if": {
        if (rest === "") this.error(at, restColumn, "if needs a condition");
        this.blocks.push({ kind: "if", location: at, depth: this.chain.length, condition: rest });
        this.entry = undefined;
        return undefined;
      }
      case "endmenu":
      case "endif":
      case "endchoice": {
        const kind = word.slice(3);
        const top = this.blocks[this.blocks.length - 1];
        if (!top || top.kind !== kind || top.depth !== this.chain.length) {
          const open = top && top.depth === this.chain.length ? `; the innermost open block is the ${top.kind} at line ${top.location.line}` : "";
          this.error(at, column, `${word} without a matching ${kind} in this file${open}`);
        }
        this.blocks.pop();
        this.entry = undefined;
        return undefined;
      }
      case "comment": {
        this.stringAt(at, restColumn, rest, "comment");
        this.entry = { kind: "comment", dependsOn: [] };
        return undefined;
      }
      case "mainmenu": {
        this.mainmenu = this.stringAt(at, restColumn, rest, "mainmenu").text;
        this.entry = { kind: "mainmenu" };
        return undefined;
      }
      default:
        if (SOURCE_WORDS.has(word)) {
          this.source(at, restColumn, word, rest);
          return undefined;
        }
        return this.property(at, column, restColumn, word, rest);
    }
  }

  private property(at: KconfigLocation, column: number, restColumn: number, word: string, rest: string): "help" | undefined {
    const entry = this.entry;
    if (!entry) this.error(at, column, `${quote(word)} is not a Kconfig statement, and there is no config, choice or menu entry for it to be a property of`);
    const type = TYPE_WORDS[word];
    if (type || word === "def_bool" || word === "def_tristate") {
      const declared: KconfigType = type ?? (word === "def_bool" ? "bool" : "tristate");
      if (entry!.kind !== "symbol" && entry!.kind !== "choice") this.error(at, column, `type ${word} is only valid for config and choice entries`);
      if (entry!.kind === "symbol") {
        entry!.def.type = declared;
        entry!.symbol.type = declared; // the last stated type wins, as in scripts/kconfig
      } else entry!.choice.type = declared;
      if (type) {
        if (rest !== "") {
          const prompt = this.promptAt(at, restColumn, rest, word);
          if (entry!.kind === "symbol") entry!.def.prompt = prompt;
          else entry!.choice.prompt = prompt.value;
        }
      } else {
        if (rest === "") this.error(at, restColumn, `${word} needs a default value`);
        const d = splitCondition(rest);
        if (entry!.kind === "symbol") entry!.def.defaults.push(d);
        else entry!.choice.defaults.push(d);
      }
      return undefined;
    }
    switch (word) {
      case "prompt": {
        if (entry!.kind === "comment" || entry!.kind === "mainmenu") this.error(at, column, "prompt is not valid here");
        const prompt = this.promptAt(at, restColumn, rest, "prompt");
        if (entry!.kind === "symbol") entry!.def.prompt = prompt;
        else if (entry!.kind === "choice") entry!.choice.prompt = prompt.value;
        return undefined;
      }
      case "default": {
        if (rest === "") this.error(at, restColumn, "default needs a value");
        const d = splitCondition(rest);
        if (entry!.kind === "symbol") entry!.def.defaults.push(d);
        else if (entry!.kind === "choice") entry!.choice.defaults.push(d);
        else this.error(at, column, "default is only valid for config and choice entries");
        return undefined;
      }
      case "depends": {
        const on = /^on\b\s*(.*)$/.exec(rest);
        if (!on || on[1] === "") this.error(at, restColumn, `expected "depends on <expression>"`);
        const expr = on![1]!;
        if (entry!.kind === "symbol") entry!.def.dependsOn.push(expr);
        else if (entry!.kind === "choice") entry!.choice.dependsOn.push(expr);
        else if (entry!.kind === "menu") entry!.block.dependsOn.push(expr);
        else if (entry!.kind === "comment") entry!.dependsOn.push(expr);
        else this.error(at, column, "depends on is not valid after mainmenu");
        return undefined;
      }
      case "select":
      case "imply": {
        if (entry!.kind !== "symbol") this.error(at, column, `${word} is only valid for config entries`);
        const d = splitCondition(rest);
        if (!NAME.test(d.value)) this.error(at, restColumn, `${word} needs a symbol name, got ${quote(d.value)}`);
        (word === "select" ? entry!.def.selects : entry!.def.implies).push(d);
        return undefined;
      }
      case "range": {
        if (entry!.kind !== "symbol") this.error(at, column, "range is only valid for config entries");
        const d = splitCondition(rest);
        const bounds = d.value.split(/\s+/);
        if (bounds.length !== 2) this.error(at, restColumn, `range needs two bounds, got ${quote(d.value)}`);
        entry!.def.ranges.push({ low: bounds[0]!, high: bounds[1]!, ...(d.condition ? { condition: d.condition } : {}) });
        return undefined;
      }
      case "help":
      case "---help---":
        return "help";
      case "visible": {
        if (!/^if\b/.test(rest)) this.error(at, restColumn, `expected "visible if <expression>"`);
        return undefined;
      }
      case "optional":
        if (entry!.kind !== "choice") this.error(at, column, "optional is only valid for choices");
        entry!.choice.optional = true;
        return undefined;
      case "option":
      case "modules":
      case "allnoconfig_y":
      case "defconfig_list":
      case "transitional":
        // Tool options (MODULES marker, env import, defconfig list): no bearing on symbols or types.
        return undefined;
      default:
        this.error(at, column, `unknown Kconfig keyword ${quote(word)}`);
    }
  }

  private source(at: KconfigLocation, column: number, word: string, rest: string): void {
    const { text, end } = this.stringAt(at, column, rest, word);
    if (rest.slice(end).trim() !== "") this.error(at, column + end, `unexpected text after the ${word} path`);
    if (this.opts.followSource === false) return;
    const optional = word.startsWith("o") || word.startsWith("g");
    const relative = word === "rsource" || word === "orsource" || word === "grsource";
    const expanded = this.expand(text, at, column);
    let path = relative ? posix.join(posix.dirname(at.file), expanded) : posix.normalize(expanded);
    if (path.startsWith("/")) {
      const root = this.opts.root.replace(/\/$/, "") + "/";
      if (!path.startsWith(root)) this.error(at, column, `${word} path ${quote(expanded)} is outside the tree ${this.opts.root}`);
      path = path.slice(root.length);
    }
    const isGlob = /[*?[]/.test(path);
    const targets = isGlob ? this.opts.source.glob(path) : [path];
    if (isGlob && targets.length === 0 && !optional) {
      this.error(at, column, `${word} ${quote(text)}: the pattern ${quote(path)} matches no file (use o${word} for an optional source)`);
    }
    for (const target of targets) {
      const body = this.opts.source.read(target);
      if (body === undefined) {
        if (optional) continue;
        this.error(at, column, `${word} ${quote(text)}: no file ${quote(target)} under ${this.opts.root}`);
      }
      this.parseFile(target, body!);
    }
    this.entry = undefined; // properties never continue across a source statement
  }

  /** Expand `$(VAR)` references (Kconfig variables first, then the environment); `$$` is a dollar. */
  private expand(text: string, at: KconfigLocation, column: number, depth = 0): string {
    if (depth > 20) this.error(at, column, `macro expansion of ${quote(text)} does not terminate`);
    let out = "";
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c !== "$") { out += c; continue; }
      if (text[i + 1] === "$") { out += "$"; i++; continue; }
      if (text[i + 1] !== "(") { out += c; continue; }
      let level = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === "(") level++;
        else if (text[j] === ")" && --level === 0) break;
      }
      if (j >= text.length) this.error(at, column, `unterminated macro in ${quote(text)}`);
      const inner = this.expand(text.slice(i + 2, j), at, column, depth + 1);
      if (inner.includes(",")) {
        this.error(at, column, `cannot evaluate the macro function call $(${inner}) in a path: only variables ($(SRCARCH), ...) are expanded`);
      }
      const value = this.vars.get(inner) ?? this.opts.env[inner];
      out += value === undefined ? "" : this.expand(value, at, column, depth + 1);
      i = j;
    }
    return out;
  }

  private enclosing(): string[] {
    const out: string[] = [];
    for (const b of this.blocks) {
      if (b.kind === "if") out.push(b.condition);
      else if (b.kind === "menu") out.push(...b.dependsOn);
      else out.push(...this.choices[b.index]!.dependsOn);
    }
    return out;
  }

  private innermostMenuOrChoice(): Extract<Block, { kind: "menu" | "choice" }> | undefined {
    for (let k = this.blocks.length - 1; k >= 0; k--) {
      const b = this.blocks[k]!;
      if (b.kind !== "if") return b;
    }
    return undefined;
  }

  private stringAt(at: KconfigLocation, column: number, rest: string, what: string): { text: string; end: number } {
    const s = readQuoted(rest);
    if (!s) this.error(at, column, `${what} needs a quoted string, got ${quote(rest)}`);
    return s!;
  }

  private promptAt(at: KconfigLocation, column: number, rest: string, what: string): KconfigConditional {
    const { text, end } = this.stringAt(at, column, rest, `${what} prompt`);
    const after = rest.slice(end).trim();
    if (after === "") return { value: text };
    const cond = /^if\b\s*(.*)$/.exec(after);
    if (!cond || cond[1] === "") this.error(at, column + end, `expected "if <condition>" after the prompt, got ${quote(after)}`);
    return { value: text, condition: cond![1]! };
  }

  private error(at: KconfigLocation, column: number, message: string): never {
    throw new WayfinderError(`${at.file}:${at.line}:${column}: ${message}`, { file: at.file, line: at.line, column });
  }
}

/** Columns of leading whitespace with tabs every 8 columns (Python's expandtabs, as kconfiglib uses). */
function indentWidth(line: string): number {
  let col = 0;
  for (const c of line) {
    if (c === " ") col++;
    else if (c === "\t") col = (Math.floor(col / 8) + 1) * 8;
    else break;
  }
  return col;
}

/**
 * Skip a help text starting at line index `i`: blank lines, then lines indented at least as much as
 * the first non-blank one. A first line without indentation means the help text is empty.
 */
function skipHelp(lines: string[], i: number): number {
  while (i < lines.length && lines[i]!.trim() === "") i++;
  if (i >= lines.length) return i;
  const indent = indentWidth(lines[i]!);
  if (indent === 0) return i;
  while (i < lines.length && (lines[i]!.trim() === "" || indentWidth(lines[i]!) >= indent)) i++;
  return i;
}

/** Cut a `#` comment, ignoring `#` inside quotes and inside `$(...)` macro calls. */
function stripComment(line: string): string {
  let quoteChar = "";
  let macro = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoteChar) {
      if (c === "\\") i++;
      else if (c === quoteChar) quoteChar = "";
    } else if (c === '"' || c === "'") quoteChar = c;
    else if (c === "$" && line[i + 1] === "(") { macro++; i++; }
    else if (c === "(" && macro > 0) macro++;
    else if (c === ")" && macro > 0) macro--;
    else if (c === "#" && macro === 0) return line.slice(0, i);
  }
  return line;
}

/** A leading "..." or '...' string with backslash escapes; `end` is the index after the closing quote. */
function readQuoted(s: string): { text: string; end: number } | undefined {
  const q = s[0];
  if (q !== '"' && q !== "'") return undefined;
  let text = "";
  for (let i = 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\" && i + 1 < s.length) text += s[++i];
    else if (c === q) return { text, end: i + 1 };
    else text += c;
  }
  return undefined;
}

/** Split `expr if cond` at the first top-level `if` word (outside quotes and parentheses). */
function splitCondition(rest: string): KconfigConditional {
  let quoteChar = "";
  let level = 0;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (quoteChar) {
      if (c === "\\") i++;
      else if (c === quoteChar) quoteChar = "";
    } else if (c === '"' || c === "'") quoteChar = c;
    else if (c === "(") level++;
    else if (c === ")") level--;
    else if (level === 0 && c === "i" && rest[i + 1] === "f" && /\s/.test(rest[i - 1] ?? "") && /^(\s|$)/.test(rest.slice(i + 2, i + 3))) {
      return { value: rest.slice(0, i).trim(), condition: rest.slice(i + 2).trim() };
    }
  }
  return { value: rest.trim() };
}
