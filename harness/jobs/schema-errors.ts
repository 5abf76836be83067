/**
 * Validation of a parsed job against job.schema.json (with Ajv), reported as user messages pointing at
 * file:line:column with the offending value and what would be valid.
 */
import Ajv, { type ErrorObject } from "ajv";
import schema from "./job.schema.json";
import { quote } from "../../lib/errors";
import type { JobSource, JsonPath } from "./job-source";

let compiled: ReturnType<Ajv["compile"]> | null = null;

function validator() {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, discriminator: true, strict: false });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

export const JOB_SCHEMA = schema;

function toPath(instancePath: string): JsonPath {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function show(v: unknown): string {
  return v !== null && typeof v === "object" ? (Array.isArray(v) ? "a list" : "a mapping") : quote(v);
}

function describe(e: ErrorObject, source: JobSource): { path: JsonPath; key: boolean; text: string } {
  const path = toPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return { path, key: false, text: `missing required field "${p.missingProperty}"` };
    case "additionalProperties": {
      const props = Object.keys(((e.parentSchema as { properties?: object })?.properties ?? {}) as object);
      return { path: [...path, String(p.additionalProperty)], key: true, text: `unknown field "${p.additionalProperty}"; valid fields here: ${props.join(", ")}` };
    }
    case "type":
      return { path, key: false, text: `${show(e.data)} is not valid; expected ${String(p.type).replace(",", " or ")}` };
    case "enum":
      return { path, key: false, text: `${show(e.data)} is not valid; expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}` };
    case "const":
      return { path, key: false, text: `${show(e.data)} is not valid; expected ${JSON.stringify(p.allowedValue)}` };
    case "pattern": {
      const desc = (e.parentSchema as { description?: string })?.description;
      return { path, key: false, text: `${show(e.data)} is not valid; expected ${desc ?? `text matching ${p.pattern}`}` };
    }
    case "discriminator": {
      const types = ["integer", "choice", "boolean", "tristate", "fixed"];
      if (p.error === "mapping") return { path: [...path, "type"], key: false, text: `type ${show(p.tagValue)} is not valid; expected one of ${types.join(", ")}` };
      return { path, key: false, text: `missing or invalid "type"; expected one of ${types.join(", ")}` };
    }
    default:
      return { path, key: false, text: `${show(e.data)} is not valid: ${e.message}` };
  }
  void source;
}

/** Every schema problem of the document, as "file:line:col: path: message" strings in document order. */
export function schemaProblems(source: JobSource, value: unknown): string[] {
  const validate = validator();
  if (validate(value)) return [];
  const seen = new Set<string>();
  const out: { line: number; column: number; text: string }[] = [];
  for (const e of validate.errors ?? []) {
    if (e.keyword === "oneOf" || e.keyword === "if") continue; // summarised by the branch errors
    const d = describe(e, source);
    const text = source.describe(d.path, d.text, { key: d.key });
    if (seen.has(text)) continue;
    seen.add(text);
    const loc = source.locate(d.path, d.key);
    out.push({ ...loc, text });
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column).map((o) => o.text);
}
