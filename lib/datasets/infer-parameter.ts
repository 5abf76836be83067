/**
 * Decides how a parameter column's raw cells are kept in a dataset (see ValueKind in types.ts) and
 * describes its observed domain. Only what the cells show is used: no value is rewritten except that an
 * integer's text becomes the number it denotes when a double holds it exactly.
 */
import { type Cell, cellText, isBlank } from "./grid";
import { isSafeIntegerText } from "./number-text";
import type { ParameterSchema, Phase, Value } from "./types";

/** Two-value vocabularies read as "boolean" (compared case-insensitively; values are kept as given). */
const booleanPairs: ReadonlyArray<readonly [string, string]> = [
  ["y", "n"],
  ["yes", "no"],
  ["on", "off"],
  ["true", "false"],
];

export interface InferredParameter {
  schema: ParameterSchema;
  values: Value[];
  /** Why the column got an unexpected kind (e.g. blanks), for the dataset's provenance notes. */
  note?: string;
}

export function inferParameter(name: string, cells: ReadonlyArray<Cell>, phase?: Phase): InferredParameter {
  const n = cells.length;
  const texts: string[] = new Array(n);
  let blanks = 0;
  for (let i = 0; i < n; i++) {
    const cell = cells[i];
    if (isBlank(cell)) {
      texts[i] = "";
      blanks++;
    } else {
      texts[i] = cellText(cell);
    }
  }
  const distinctTexts = [...new Set(texts)];
  let note: string | undefined;

  if (blanks === 0 && n > 0 && distinctTexts.every(isSafeIntegerText)) {
    const values = texts.map(Number);
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return {
      schema: { name, kind: "integer", domain: [min, max], distinct: distinctTexts.length, constant: distinctTexts.length === 1, ...(phase ? { phase } : {}) },
      values,
    };
  }

  const lower = distinctTexts.map((t) => t.toLowerCase());
  const isBoolean =
    blanks === 0 && n > 0 && booleanPairs.some(([a, b]) => lower.every((t) => t === a || t === b));
  if (blanks > 0) {
    note = `parameter ${name}: ${blanks} blank cell(s) kept as the value "" (column typed categorical)`;
  } else if (!isBoolean && distinctTexts.some((t) => /^-?\d+$/.test(t) && !isSafeIntegerText(t))) {
    const big = distinctTexts.some((t) => /^-?[1-9]\d*$/.test(t) && !Number.isSafeInteger(Number(t)));
    note = big
      ? `parameter ${name}: integers beyond 2^53 kept exactly as text (column typed categorical)`
      : `parameter ${name}: digits with leading zeros (e.g. a bitmap "00") kept as text (column typed categorical)`;
  }
  const domain = distinctTexts.slice().sort(compareText);
  return {
    schema: {
      name,
      kind: isBoolean ? "boolean" : "categorical",
      domain,
      distinct: domain.length,
      constant: domain.length === 1,
      ...(phase ? { phase } : {}),
    },
    values: texts,
    ...(note ? { note } : {}),
  };
}

/** Code-unit order: deterministic and locale-independent, so a domain prints the same everywhere. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
