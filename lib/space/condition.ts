/**
 * Conditions that make a parameter active only in part of the space, e.g. LIBTINYALLOC_ALIGNMENT only
 * when ALLOCATOR == 'tinyalloc'. Written as small expressions:
 *   NAME == 'value'   NAME != 'value'   NAME in ['a', 'b']   NAME (a switch that is on)   !NAME
 *   a && b   a || b   ( ... )
 * A condition that refers to an inactive parameter is false (that parameter is unset).
 */
import type { Value } from "../datasets/types";
import { WayfinderError } from "../errors";

export type Condition =
  | { op: "eq" | "ne"; name: string; value: Value }
  | { op: "in"; name: string; values: Value[] }
  | { op: "on"; name: string }
  | { op: "not"; item: Condition }
  | { op: "and" | "or"; items: Condition[] };

/** Spellings of "on" for the bare-name form (y/n switches, tristates, yes/no, 1/0 ...). */
const ON = new Set(["y", "m", "yes", "on", "true", "1"]);

export function evaluateCondition(c: Condition, config: Record<string, Value>): boolean {
  switch (c.op) {
    case "eq":
      return c.name in config && String(config[c.name]) === String(c.value);
    case "ne":
      return c.name in config && String(config[c.name]) !== String(c.value);
    case "in":
      return c.name in config && c.values.some((v) => String(v) === String(config[c.name]));
    case "on":
      return c.name in config && ON.has(String(config[c.name]).toLowerCase());
    case "not":
      return !evaluateCondition(c.item, config);
    case "and":
      return c.items.every((i) => evaluateCondition(i, config));
    case "or":
      return c.items.some((i) => evaluateCondition(i, config));
  }
}

/** Names of the parameters a condition reads. */
export function conditionNames(c: Condition): string[] {
  switch (c.op) {
    case "not":
      return conditionNames(c.item);
    case "and":
    case "or":
      return [...new Set(c.items.flatMap(conditionNames))];
    default:
      return [c.name];
  }
}

export function formatCondition(c: Condition): string {
  const lit = (v: Value) => (typeof v === "number" ? String(v) : `'${v}'`);
  switch (c.op) {
    case "eq":
      return `${c.name} == ${lit(c.value)}`;
    case "ne":
      return `${c.name} != ${lit(c.value)}`;
    case "in":
      return `${c.name} in [${c.values.map(lit).join(", ")}]`;
    case "on":
      return c.name;
    case "not":
      return `!(${formatCondition(c.item)})`;
    case "and":
    case "or":
      return c.items.map((i) => `(${formatCondition(i)})`).join(c.op === "and" ? " && " : " || ");
  }
}

/** Raised with the 0-based character offset of the problem inside the expression text. */
export class ConditionSyntaxError extends WayfinderError {
  constructor(message: string, readonly offset: number) {
    super(message, { offset });
  }
}

type Token = { kind: "name" | "string" | "number" | "op"; text: string; at: number };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    const two = rest.slice(0, 2);
    if (["==", "!=", "&&", "||"].includes(two)) {
      out.push({ kind: "op", text: two, at: i });
      i += 2;
    } else if ("()[],!".includes(ch)) {
      out.push({ kind: "op", text: ch, at: i });
      i++;
    } else if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) throw new ConditionSyntaxError(`unterminated string starting at ${ch}`, i);
      out.push({ kind: "string", text: text.slice(i + 1, end), at: i });
      i = end + 1;
    } else if (/^-?\d/.test(rest)) {
      const m = /^-?\d+(\.\d+)?/.exec(rest)!;
      out.push({ kind: "number", text: m[0], at: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.\-]*/.exec(rest)!;
      out.push({ kind: "name", text: m[0], at: i });
      i += m[0].length;
    } else {
      throw new ConditionSyntaxError(`unexpected character ${JSON.stringify(ch)}`, i);
    }
  }
  return out;
}

/**
 * Parse a condition expression. Errors are ConditionSyntaxError with the offset of the bad token, so a
 * job-file reader can point at the exact column.
 */
export function parseCondition(text: string): Condition {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const expectOp = (op: string) => {
    const t = tokens[pos];
    if (!t || t.kind !== "op" || t.text !== op) {
      throw new ConditionSyntaxError(`expected "${op}"${t ? ` but found ${JSON.stringify(t.text)}` : " at the end"}`, t?.at ?? text.length);
    }
    pos++;
  };
  const literal = (): Value => {
    const t = tokens[pos];
    if (t && t.kind === "string") {
      pos++;
      return t.text;
    }
    if (t && t.kind === "number") {
      pos++;
      return Number(t.text);
    }
    // Bare words as values (ALLOCATOR == tinyalloc) are accepted: old job files write them so.
    if (t && t.kind === "name") {
      pos++;
      return t.text;
    }
    throw new ConditionSyntaxError(`expected a value ('text' or a number)${t ? ` but found ${JSON.stringify(t.text)}` : " at the end"}`, t?.at ?? text.length);
  };
  const primary = (): Condition => {
    const t = peek();
    if (!t) throw new ConditionSyntaxError("expected a condition but the expression is empty or ends early", text.length);
    if (t.kind === "op" && t.text === "!") {
      pos++;
      return { op: "not", item: primary() };
    }
    if (t.kind === "op" && t.text === "(") {
      pos++;
      const inner = orExpr();
      expectOp(")");
      return inner;
    }
    if (t.kind !== "name") throw new ConditionSyntaxError(`expected a parameter name but found ${JSON.stringify(t.text)}`, t.at);
    pos++;
    const next = peek();
    if (next && next.kind === "op" && (next.text === "==" || next.text === "!=")) {
      pos++;
      return { op: next.text === "==" ? "eq" : "ne", name: t.text, value: literal() };
    }
    if (next && next.kind === "name" && next.text === "in") {
      pos++;
      expectOp("[");
      const values: Value[] = [];
      while (!(peek()?.kind === "op" && peek()!.text === "]")) {
        values.push(literal());
        if (peek()?.kind === "op" && peek()!.text === ",") pos++;
        else break;
      }
      expectOp("]");
      return { op: "in", name: t.text, values };
    }
    return { op: "on", name: t.text };
  };
  const andExpr = (): Condition => {
    const items = [primary()];
    while (peek()?.kind === "op" && peek()!.text === "&&") {
      pos++;
      items.push(primary());
    }
    return items.length === 1 ? items[0] : { op: "and", items };
  };
  const orExpr = (): Condition => {
    const items = [andExpr()];
    while (peek()?.kind === "op" && peek()!.text === "||") {
      pos++;
      items.push(andExpr());
    }
    return items.length === 1 ? items[0] : { op: "or", items };
  };
  const result = orExpr();
  if (pos < tokens.length) {
    throw new ConditionSyntaxError(`unexpected ${JSON.stringify(tokens[pos].text)} after a complete condition`, tokens[pos].at);
  }
  return result;
}
