// Each quirk of the artifact's files, on small workbooks written here with exact expected values, plus
// the bad-input errors. (The real pools are checked in pools.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadDataset, summarizeDataset, datasetRows } from "../../lib/datasets";
import { WayfinderError } from "../../lib/errors";
import { tmp, writeText, writeXlsx } from "./fixtures";

const dir = tmp();
// Keep the parsed-workbook cache of these throwaway files out of the project's .cache.
process.env.WAYFINDER_CACHE_DIR = join(dir, "cache");
const errorMatching = (re: RegExp) => (err: unknown) => err instanceof WayfinderError && re.test(err.message);

test("riscv-style text objective with thousands separators, crash marker the string \"1\", perm_id \"1,000\"", () => {
  const f = writeXlsx(join(dir, "riscv-like.xlsx"), {
    Sheet1: [
      [null, "throughput", "perm_id", "CONFIG_A"],
      [0, "-197,586,944", "999", "y"],
      [1, "1", "1,000", "n"],
      [2, "-184,647,680", "1,001", "y"],
    ],
  });
  const ds = loadDataset(f, { objective: "throughput", direction: "max", crashMarkers: ["1"] });
  assert.deepEqual(Array.from(ds.table.array("throughput") as ArrayLike<unknown>), [-197586944, null, -184647680]);
  assert.deepEqual(Array.from(ds.table.array("crashed") as ArrayLike<unknown>), [false, true, false]);
  assert.deepEqual(Array.from(ds.table.array("perm_id") as ArrayLike<unknown>), [999, 1000, 1001]);
  assert.equal(ds.schema.idColumn, "perm_id");
  const s = summarizeDataset(ds);
  assert.equal(s.best, -184647680);
  assert.equal(s.crashed, 1);
});

test("hex-looking strings, integers beyond 2^53, leading zeros and triples stay exact text", () => {
  const f = writeXlsx(join(dir, "values.xlsx"), {
    Sheet1: [
      ["throughput", "FLAGS", "SHMMAX", "BITMAP", "TCP_RMEM", "SOMAXCONN", "NEG"],
      [10, "0x1003", "18446744073692774399", "00", "4096 87380 6291456", "128", "-5"],
      [20, "0x1003", "9007199254740993", "00", "512 8738 629145", "4096", "7"],
    ],
  });
  const ds = loadDataset(f, { direction: "max", crashMarkers: [] });
  const p = Object.fromEntries(ds.schema.parameters.map((q) => [q.name, q]));
  assert.equal(p.FLAGS.kind, "categorical");
  assert.deepEqual(p.FLAGS.domain, ["0x1003"]);
  assert.equal(p.SHMMAX.kind, "categorical");
  assert.deepEqual(Array.from(ds.table.array("SHMMAX") as ArrayLike<unknown>), ["18446744073692774399", "9007199254740993"]);
  assert.deepEqual(p.BITMAP.domain, ["00"]);
  assert.equal(p.TCP_RMEM.kind, "categorical");
  assert.equal(p.SOMAXCONN.kind, "integer");
  assert.deepEqual(p.SOMAXCONN.domain, [128, 4096]);
  assert.deepEqual(Array.from(ds.table.array("NEG") as ArrayLike<unknown>), [-5, 7]);
  assert.ok(ds.schema.provenance.notes.some((n) => /SHMMAX: integers beyond 2\^53 kept exactly as text/.test(n)));
  assert.ok(ds.schema.provenance.notes.some((n) => /BITMAP: digits with leading zeros/.test(n)));
  // Without --objective, the column named throughput was used, and the defaults were reported.
  assert.ok(ds.schema.provenance.notes.some((n) => /using the column named "throughput"/.test(n)));
});

test("booleans keep their spelling; 0/1 columns are integers; constant columns are flagged", () => {
  const f = writeXlsx(join(dir, "kinds.xlsx"), {
    Sheet1: [
      ["throughput", "YN", "ONOFF", "FLAG01", "CONST"],
      [1, "y", "on", "0", "madvise"],
      [2, "n", "off", "1", "madvise"],
      [3, "y", "off", "1", "madvise"],
    ],
  });
  const ds = loadDataset(f, { objective: "throughput", direction: "max", crashMarkers: [] });
  const p = Object.fromEntries(ds.schema.parameters.map((q) => [q.name, q]));
  assert.equal(p.YN.kind, "boolean");
  assert.deepEqual(p.YN.domain, ["n", "y"]);
  assert.equal(p.ONOFF.kind, "boolean");
  assert.equal(p.FLAG01.kind, "integer");
  assert.deepEqual(p.FLAG01.domain, [0, 1]);
  assert.equal(p.CONST.constant, true);
  assert.equal(p.YN.constant, false);
  assert.equal(summarizeDataset(ds).varyingParameters, 3);
});

test("blank parameter cells are kept as the value \"\" and reported", () => {
  const f = writeXlsx(join(dir, "blanks.xlsx"), {
    Sheet1: [
      ["throughput", "DEBUG", "OTHER"],
      [1, "1", "a"],
      [2, null, "b"],
      [3, "2", "c"],
    ],
  });
  const ds = loadDataset(f, { direction: "max", crashMarkers: [] });
  assert.deepEqual(Array.from(ds.table.array("DEBUG") as ArrayLike<unknown>), ["1", "", "2"]);
  const debug = ds.schema.parameters.find((q) => q.name === "DEBUG")!;
  assert.equal(debug.kind, "categorical");
  assert.deepEqual(debug.domain, ["", "1", "2"]);
  assert.ok(ds.schema.provenance.notes.some((n) => /DEBUG: 1 blank cell\(s\) kept as the value ""/.test(n)));
});

test("crash markers -1 and 0 are numbers or text; crashed rows have a null objective", () => {
  const f = writeXlsx(join(dir, "markers.xlsx"), {
    Sheet1: [
      ["throughput", "P"],
      [-1, "a"],
      ["-1", "b"],
      [0, "c"],
      [5.5, "d"],
    ],
  });
  const ds = loadDataset(f, { objective: "throughput", direction: "max", crashMarkers: ["-1", "0"] });
  assert.deepEqual(Array.from(ds.table.array("crashed") as ArrayLike<unknown>), [true, true, true, false]);
  assert.deepEqual(Array.from(ds.table.array("throughput") as ArrayLike<unknown>), [null, null, null, 5.5]);
  const rows = datasetRows(ds);
  assert.deepEqual(rows[3], { index: 3, config: { P: "d" }, objective: 5.5, crashed: false });
});

test("rows without an objective are left out and counted, never silently", () => {
  const f = writeXlsx(join(dir, "gaps.xlsx"), {
    Sheet1: [
      ["throughput", "P"],
      [1, "a"],
      [null, "b"],
      [null, null],
      [4, "d"],
    ],
  });
  const ds = loadDataset(f, { direction: "min", crashMarkers: [] });
  assert.equal(ds.table.numRows(), 2);
  assert.deepEqual(ds.schema.provenance.droppedRows, [
    { row: 3, reason: 'no value in objective column "throughput"' },
    { row: 4, reason: "empty row" },
  ]);
  assert.ok(ds.schema.provenance.notes.some((n) => /2 row\(s\) left out: 1 empty, 1 without an objective value \(rows 3, 4\)/.test(n)));
  assert.equal(summarizeDataset(ds).droppedRows, 2);
  assert.equal(summarizeDataset(ds).best, 1);
});

test("generic file without options: direction and crash marker defaults are written to the notes", () => {
  const f = writeText(join(dir, "plain.csv"), "throughput,perm_id,A\n3,0,x\n4,1,y\n");
  const ds = loadDataset(f);
  assert.equal(ds.schema.objective.direction, "max");
  const notes = ds.schema.provenance.notes.join("\n");
  assert.match(notes, /direction not given: assumed max/);
  assert.match(notes, /no crash marker given: no row counts as crashed/);
  assert.match(notes, /column perm_id read as the row identifier/);
  assert.equal(ds.schema.provenance.loader, "generic table");
});

test("error: missing file", () => {
  assert.throws(() => loadDataset(join(dir, "nope.xlsx")), errorMatching(/nope\.xlsx: no such file/));
});

test("error: wrong sheet names the sheets there are", () => {
  const f = writeXlsx(join(dir, "sheets.xlsx"), { Data: [["throughput"], [1]], Other: [["x"], [2]] });
  assert.throws(() => loadDataset(f, { sheet: "Sheet9" }), errorMatching(/sheets\.xlsx: no sheet "Sheet9"; the workbook's sheets are "Data", "Other"/));
  assert.throws(() => loadDataset(f), errorMatching(/has 2 sheets \("Data", "Other"\); choose one with --sheet/));
  assert.equal(loadDataset(f, { sheet: "Data", direction: "max", crashMarkers: [] }).table.numRows(), 1);
});

test("error: missing objective column lists the columns", () => {
  const f = writeXlsx(join(dir, "noobj.xlsx"), { Sheet1: [["perf", "A"], [1, "x"]] });
  assert.throws(() => loadDataset(f, { objective: "throughput" }), errorMatching(/noobj\.xlsx \(sheet "Sheet1"\): no objective column "throughput"; the columns are "perf", "A"/));
  assert.throws(() => loadDataset(f), errorMatching(/no --objective given; name the objective column \(columns: "perf", "A"\)/));
});

test("error: non-numeric objective names the row, column and value and counts the others", () => {
  const f = writeXlsx(join(dir, "nonnum.xlsx"), {
    Sheet1: [["throughput", "A"], [1, "x"], ["fast", "y"], [3, "z"], ["n/a", "w"]],
  });
  assert.throws(
    () => loadDataset(f, { direction: "max", crashMarkers: ["-1"] }),
    errorMatching(/row 3, objective column "throughput": "fast" is not a number; expected a number or a crash marker \("-1"\) \(2 such rows: 3, 5\)/),
  );
});

test("error: duplicate column names, with both columns", () => {
  const f = writeXlsx(join(dir, "dup.xlsx"), { Sheet1: [["throughput", "A", "B", "A"], [1, "x", "y", "z"]] });
  assert.throws(() => loadDataset(f), errorMatching(/duplicate column name "A" in column B and column D/));
  const c = writeText(join(dir, "dup.csv"), "throughput,A,A\n1,2,3\n");
  assert.throws(() => loadDataset(c), errorMatching(/duplicate column name "A" in column 2 and column 3/));
});

test("error: an unsupported file type, and a CSV line with too many fields", () => {
  const f = writeText(join(dir, "data.json"), "{}");
  assert.throws(() => loadDataset(f), errorMatching(/unsupported file type "\.json"; expected \.xlsx or \.csv/));
  const c = writeText(join(dir, "wide.csv"), "throughput,A\n1,2\n3,4,5\n");
  assert.throws(() => loadDataset(c), errorMatching(/wide\.csv: line 3 has 3 fields but the header has 2 columns/));
});

test("a huge integer stored as a spreadsheet number (not text) is reported, since its digits are already lost", () => {
  const f = writeXlsx(join(dir, "numeric-big.xlsx"), { Sheet1: [["throughput", "SHMMAX"], [1, 18446744073692774399], [2, 4096]] });
  const ds = loadDataset(f, { direction: "max", crashMarkers: [] });
  assert.ok(ds.schema.provenance.notes.some((n) => /cell B2 is a number beyond 2\^53 \(18446744073692774000\); a spreadsheet number cannot keep all its digits/.test(n)), ds.schema.provenance.notes.join("\n"));
  assert.equal(ds.schema.parameters[0].kind, "categorical");
});
