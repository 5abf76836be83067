// CSV text and number-text parsing, the parameter kind inference, and the parsed-workbook cache.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { formatCsvRow, inferParameter, isSafeIntegerText, parseCsv, parseNumberText, readXlsxGrid } from "../../lib/datasets";
import { WayfinderError } from "../../lib/errors";
import { tmp, writeXlsx } from "./fixtures";

test("parseNumberText accepts plain, grouped and scientific numbers only", () => {
  assert.equal(parseNumberText("-197,586,944"), -197586944);
  assert.equal(parseNumberText("1,000"), 1000);
  assert.equal(parseNumberText("3.60E+01"), 36);
  assert.equal(parseNumberText(" 284.31 "), 284.31);
  assert.equal(parseNumberText(".5"), 0.5);
  for (const t of ["0x1003", "1,00", "12,3456", "", "abc", "1 2", "Infinity", "1e", "--1"]) assert.equal(parseNumberText(t), undefined, t);
  assert.equal(isSafeIntegerText("9007199254740991"), true);
  assert.equal(isSafeIntegerText("9007199254740993"), false);
  assert.equal(isSafeIntegerText("007"), false);
  assert.equal(isSafeIntegerText("-0"), false);
});

test("parseCsv: quotes, escaped quotes, CRLF, embedded newlines, quoted empty vs missing", () => {
  assert.deepEqual(parseCsv('a,b,c\r\n1,"x, y","say ""hi"""\n"",,"multi\nline"\n'), [
    ["a", "b", "c"],
    ["1", "x, y", 'say "hi"'],
    ["", null, "multi\nline"],
  ]);
  assert.deepEqual(parseCsv("a,b"), [["a", "b"]]);
  assert.throws(() => parseCsv('a,"open\n', "f.csv"), (e: unknown) => e instanceof WayfinderError && /f\.csv: line 1: quoted field is never closed/.test(e.message));
  assert.throws(() => parseCsv('"a"b\n', "f.csv"), (e: unknown) => e instanceof WayfinderError && /line 1: unexpected character "b" after a closing quote/.test(e.message));
  const row = ["", null, " x", 'q"', "a,b", 5, true];
  assert.equal(formatCsvRow(row), '"",," x","q""",\"a,b\",5,true');
  assert.deepEqual(parseCsv(formatCsvRow(row)), [["", null, " x", 'q"', "a,b", "5", "true"]]);
});

test("inferParameter: kinds, domains and the reason for unexpected kinds", () => {
  assert.deepEqual(inferParameter("A", ["3", 1, "2"]).schema, { name: "A", kind: "integer", domain: [1, 3], distinct: 3, constant: false });
  assert.deepEqual(inferParameter("A", ["3", 1, "2"]).values, [3, 1, 2]);
  assert.equal(inferParameter("B", ["Yes", "No"]).schema.kind, "boolean");
  assert.equal(inferParameter("B", ["y", "yes"]).schema.kind, "categorical");
  assert.equal(inferParameter("C", ["1.5", "2"]).schema.kind, "categorical");
  assert.deepEqual(inferParameter("D", ["x", "x"], "boot").schema, { name: "D", kind: "categorical", domain: ["x"], distinct: 1, constant: true, phase: "boot" });
  assert.match(inferParameter("E", ["1", null]).note ?? "", /E: 1 blank cell/);
});

test("readXlsxGrid caches parsed sheets on disk and notices a changed file", () => {
  const dir = tmp();
  process.env.WAYFINDER_CACHE_DIR = join(dir, "cache");
  const f = writeXlsx(join(dir, "c.xlsx"), { Sheet1: [["throughput", "A"], [1, "x"]] });
  const g1 = readXlsxGrid(f);
  assert.equal(readdirSync(join(dir, "cache")).filter((n) => n.endsWith(".json")).length, 1);
  assert.deepEqual(g1.columns, [[1], ["x"]]);
  assert.equal(readXlsxGrid(f).columns, g1.columns, "second read should come from memory");
  writeXlsx(f, { Sheet1: [["throughput", "A"], [2, "y"], [3, "z"]] });
  utimesSync(f, new Date(), new Date(Date.now() + 5000));
  const g2 = readXlsxGrid(f);
  assert.deepEqual(g2.columns, [[2, 3], ["y", "z"]]);
  // The entry of the old version was replaced, not kept next to the new one.
  assert.equal(readdirSync(join(dir, "cache")).filter((n) => n.endsWith(".json")).length, 1);
  // Without the cache nothing is written.
  const dir2 = tmp();
  process.env.WAYFINDER_CACHE_DIR = join(dir2, "cache");
  readXlsxGrid(f, { cache: false });
  assert.equal(existsSync(join(dir2, "cache")), false);
});
