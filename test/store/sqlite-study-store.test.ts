import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { SqliteStudyStore } from "../../harness/store";
import { fakeSpec, FAKE_DEFAULT } from "../run/fixtures/fake-parts";

const tmp = () => mkdtempSync(join(tmpdir(), "wf-store-"));

const result = (value: number) => ({
  outcome: { ok: true as const, value },
  metrics: { throughput: value, objective_cv: 0.01 },
  repeats: [{ outcome: { ok: true as const, value }, metrics: { throughput: value }, seconds: 1.5 }],
  paramStatus: { somaxconn: { status: "applied", requested: "4096", actual: "4096" } },
  timings: { boot: 4.2, benchmark: 10 },
  logExcerpt: "line 1\nline 2",
  provenance: { host: "h", qemu: "7.2", kernel: "6.1" },
});

test("a study round-trips: spec, in-flight marker, result, sessions", () => {
  const dir = tmp();
  const file = join(dir, "s.sqlite");
  const spec = fakeSpec({ jobText: "name: x\n# verbatim, with comments\n", budget: { seconds: 1800 } });
  const store = SqliteStudyStore.create(file, spec);
  const sid = store.beginSession(123, "hostA");
  store.markInFlight(0, FAKE_DEFAULT, { session: sid, isDefault: true });
  store.close();

  const again = SqliteStudyStore.open(file);
  const info = again.info();
  assert.equal(info.jobText, spec.jobText);
  assert.deepEqual(info.budget, { seconds: 1800 });
  assert.deepEqual(info.defaultConfig, FAKE_DEFAULT);
  assert.equal(info.formatVersion, 1);
  let evs = again.evaluations();
  assert.equal(evs.length, 1);
  assert.equal(evs[0].state, "in-flight");
  assert.equal(evs[0].outcome, undefined);
  again.recordResult(0, result(1234.5));
  evs = again.evaluations();
  assert.equal(evs[0].state, "done");
  assert.deepEqual(evs[0].outcome, { ok: true, value: 1234.5 });
  assert.equal(evs[0].paramStatus!.somaxconn.actual, "4096");
  assert.equal(evs[0].timings!.boot, 4.2);
  assert.equal(evs[0].provenance!.qemu, "7.2");
  assert.equal(evs[0].repeats!.length, 1);
  again.markInFlight(1, { ...FAKE_DEFAULT, swappiness: 0 }, { session: sid, isDefault: false });
  again.recordResult(1, { ...result(0), outcome: { ok: false, phase: "boot", evidence: "panic" } });
  assert.deepEqual(again.evaluations()[1].outcome, { ok: false, phase: "boot", evidence: "panic" });
  again.endSession(sid, "budget");
  const [s] = again.sessions();
  assert.equal(s.endReason, "budget");
  assert.equal(s.pid, 123);
  assert.ok(s.seconds >= 0);
  again.close();
  rmSync(dir, { recursive: true });
});

test("the store refuses duplicate, out-of-order and foreign writes", () => {
  const dir = tmp();
  const file = join(dir, "s.sqlite");
  const store = SqliteStudyStore.create(file, fakeSpec());
  assert.throws(() => SqliteStudyStore.create(file, fakeSpec()), /already exists.*--resume/);
  const sid = store.beginSession(1, "h");
  assert.throws(() => store.markInFlight(1, FAKE_DEFAULT, { session: sid, isDefault: false }), /out of order.*next one is 0/);
  store.markInFlight(0, FAKE_DEFAULT, { session: sid, isDefault: true });
  assert.throws(() => store.markInFlight(0, { ...FAKE_DEFAULT, swappiness: 1 }, { session: sid, isDefault: true }), /another configuration/);
  // Re-marking the same in-flight evaluation is the resume path: counted as a second attempt, logged.
  store.markInFlight(0, FAKE_DEFAULT, { session: sid, isDefault: true });
  assert.equal(store.evaluations()[0].attempts, 2);
  assert.ok(store.events().some((e) => e.kind === "rerun-interrupted" && e.seq === 0));
  store.recordResult(0, result(1));
  assert.throws(() => store.markInFlight(0, FAKE_DEFAULT, { session: sid, isDefault: true }), /already done; refusing to evaluate it twice/);
  assert.throws(() => store.recordResult(0, result(2)), /not in flight/);
  store.close();

  assert.throws(() => SqliteStudyStore.open(join(dir, "missing.sqlite")), /missing\.sqlite.*does not exist/);
  const junk = join(dir, "junk.sqlite");
  writeFileSync(junk, "this is not a database at all, not even close............................................");
  assert.throws(() => SqliteStudyStore.open(junk), /junk\.sqlite.*is not a wayfinder study/);
  rmSync(dir, { recursive: true });
});

test("a committed evaluation survives SIGKILL of the writing process (WAL, synchronous=FULL)", async () => {
  const dir = tmp();
  const file = join(dir, "s.sqlite");
  // A child process writes three finished evaluations and one in-flight marker, then hangs until killed.
  const script = `
    import { SqliteStudyStore } from ${JSON.stringify(join(process.cwd(), "harness/store/index.ts"))};
    const s = SqliteStudyStore.create(${JSON.stringify(file)}, ${JSON.stringify(fakeSpec())});
    const sid = s.beginSession(process.pid, "child");
    for (let i = 0; i < 3; i++) {
      s.markInFlight(i, { somaxconn: i, swappiness: 0, hz_boot: 0 }, { session: sid, isDefault: i === 0 });
      s.recordResult(i, ${JSON.stringify(result(7))});
    }
    s.markInFlight(3, { somaxconn: 3, swappiness: 0, hz_boot: 0 }, { session: sid, isDefault: false });
    process.stdout.write("ready\\n");
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d) => String(d).includes("ready") && resolve());
    child.on("exit", (code) => reject(new Error(`child exited early with ${code}`)));
  });
  child.kill("SIGKILL");
  await new Promise((r) => child.on("exit", r));
  const store = SqliteStudyStore.open(file);
  const evs = store.evaluations();
  assert.deepEqual(evs.map((e) => e.state), ["done", "done", "done", "in-flight"]);
  assert.equal(store.sessions()[0].endReason, undefined, "the killed session never ended");
  store.close();
  rmSync(dir, { recursive: true });
});
