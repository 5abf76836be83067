// The toolkit's own format (CSV + .schema.json sidecar): exact round trips and clear errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as aq from "arquero";
import { buildDataset, loadDataset, readDataset, sidecarPath, writeDataset } from "../../lib/datasets";
import type { Dataset } from "../../lib/datasets";
import { WayfinderError } from "../../lib/errors";
import { POOLS, missingArtifact } from "./artifact-files";
import { tmp } from "./fixtures";

const dir = tmp();

function recorded(): Dataset {
  // What the harness will record: parameters of every kind, crashes, timings, awkward strings.
  const table = aq.table({
    perm_id: [0, 1, 2, 3],
    throughput: [1520.5, null, 1498, 0.1],
    crashed: [false, true, false, false],
    build_s: [12.5, 13, null, 11.25],
    boot_s: [4.1, null, 4.3, 4.0],
    SHMMAX: ["18446744073692774399", "18446744073692774399", "4294967296", "18446744073692774399"],
    FLAGS: ["0x1003", "0x1003", "0x1003", "0x1003"],
    TCP_RMEM: ["4096 87380 6291456", "512 8738 629145", "4096 87380 6291456", "a,b \"quoted\""],
    DEBUG: ["1", "", "2", ""],
    SOMAXCONN: [128, 4096, 1024, -1],
    THP: ["always", "never", "madvise", "never"],
    NOTE: ["  spaced  ", "line\nbreak", "007", null],
  });
  return {
    table,
    schema: {
      parameters: [
        { name: "SHMMAX", kind: "categorical", domain: ["18446744073692774399", "4294967296"], distinct: 2, constant: false, phase: "runtime" },
        { name: "FLAGS", kind: "categorical", domain: ["0x1003"], distinct: 1, constant: true },
        { name: "TCP_RMEM", kind: "categorical", domain: ["4096 87380 6291456", "512 8738 629145", "a,b \"quoted\""], distinct: 3, constant: false },
        { name: "DEBUG", kind: "categorical", domain: ["", "1", "2"], distinct: 3, constant: false },
        { name: "SOMAXCONN", kind: "integer", domain: [-1, 4096], distinct: 4, constant: false, phase: "runtime" },
        { name: "THP", kind: "categorical", domain: ["always", "madvise", "never"], distinct: 3, constant: false, phase: "boot" },
        { name: "NOTE", kind: "categorical", domain: ["", "  spaced  ", "007", "line\nbreak"], distinct: 4, constant: false },
      ],
      objective: { name: "throughput", unit: "Mop/s", direction: "max" },
      crashColumn: "crashed",
      timingColumns: ["build_s", "boot_s"],
      idColumn: "perm_id",
      provenance: { source: "harness run 7", loader: "harness", app: "npb", os: "linux", notes: ["recorded by a test"] },
    },
  };
}

const arrays = (ds: Dataset) => Object.fromEntries(ds.table.columnNames().map((n) => [n, Array.from(ds.table.array(n) as ArrayLike<unknown>)]));

test("write then read gives back every value and the schema exactly", () => {
  const ds = recorded();
  const paths = writeDataset(ds, join(dir, "run", "study.csv"));
  assert.equal(paths.schema, join(dir, "run", "study.schema.json"));
  const back = readDataset(paths.data);
  assert.deepEqual(arrays(back), arrays(ds));
  assert.deepEqual(back.schema, ds.schema);
  // loadDataset recognises the sidecar and reads the same thing.
  assert.deepEqual(arrays(loadDataset(paths.data)), arrays(ds));
});

test("the CSV is plain and inspectable: blanks vs missing, quoting, exact digits", () => {
  const file = join(dir, "plain", "x.csv");
  writeDataset(recorded(), file);
  const lines = readFileSync(file, "utf8").split("\n");
  assert.equal(lines[0], "perm_id,throughput,crashed,build_s,boot_s,SHMMAX,FLAGS,TCP_RMEM,DEBUG,SOMAXCONN,THP,NOTE");
  assert.equal(lines[1], '0,1520.5,false,12.5,4.1,18446744073692774399,0x1003,4096 87380 6291456,1,128,always,"  spaced  "');
  // Crashed row: empty objective (missing), "" for the blank DEBUG value.
  assert.equal(lines[2], '1,,true,13,,18446744073692774399,0x1003,512 8738 629145,"",4096,never,"line');
  const sidecar = JSON.parse(readFileSync(sidecarPath(file), "utf8"));
  assert.equal(sidecar.format, "wayfinder-dataset");
  assert.equal(sidecar.rows, 4);
  assert.deepEqual(sidecar.columns.slice(0, 6).map((c: { type: string }) => c.type), ["number", "number", "boolean", "number", "number", "string"]);
});

test("a real pool survives the round trip (big integers, hex strings, blank cells)", { skip: missingArtifact }, () => {
  for (const f of [POOLS.hpc, POOLS.unikraft]) {
    const ds = loadDataset(f);
    const out = join(dir, "pools", f.split("/").pop()!.replace(".xlsx", ".csv"));
    writeDataset(ds, out);
    const back = readDataset(out);
    assert.deepEqual(arrays(back), arrays(ds));
    assert.deepEqual(back.schema, ds.schema);
  }
});

test("errors: no sidecar, header out of step, bad number, bad boolean, row count mismatch", () => {
  const file = join(dir, "bad", "b.csv");
  writeDataset(recorded(), file);
  const original = readFileSync(file, "utf8");
  const is = (re: RegExp) => (e: unknown) => e instanceof WayfinderError && re.test(e.message);

  writeFileSync(file, original.replace("perm_id,throughput", "perm_id,thruput"));
  assert.throws(() => readDataset(file), is(/header does not match b\.schema\.json: column 2 is "thruput", expected "throughput"/));
  writeFileSync(file, original.replace("0,1520.5,false", "0,fast,false"));
  assert.throws(() => readDataset(file), is(/b\.csv: line 2, column "throughput": "fast" is not a number/));
  writeFileSync(file, original.replace("0,1520.5,false", "0,1520.5,maybe"));
  assert.throws(() => readDataset(file), is(/line 2, column "crashed": "maybe"; expected true or false/));
  writeFileSync(file, original.split("\n").slice(0, -2).join("\n") + "\n");
  assert.throws(() => readDataset(file), is(/3 data rows but b\.schema\.json says 4/));
  const lone = join(dir, "bad", "lone.csv");
  writeFileSync(lone, "a,b\n1,2\n");
  assert.throws(() => readDataset(lone), is(/lone\.csv: no schema sidecar .*lone\.schema\.json/));
});

test("a dataset built from a grid writes and reads back too (buildDataset output)", () => {
  const ds = buildDataset(
    { file: "mem", format: "csv", header: ["throughput", "A"], columns: [["1", "-1", "2"], ["x", "y", "0x10"]], rowCount: 3, firstDataRow: 2, notes: [] },
    { loader: "test", objective: { column: "throughput", direction: "min" }, crashMarkers: ["-1"], notes: [] },
  );
  const f = join(dir, "built.csv");
  writeDataset(ds, f);
  assert.deepEqual(arrays(readDataset(f)), { throughput: [1, null, 2], crashed: [false, true, false], A: ["x", "y", "0x10"] });
});
