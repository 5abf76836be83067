// wayfinder bench real-effect: which configurations re-measure a search's best (pure), and the section
// written from the real studies recorded for BENCHMARKS.md (datasets/harness/real-effect-*.sqlite).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStudyStore } from "../../harness/store/sqlite-study-store";
import { deriveConfigs } from "../../harness/cli/commands/bench-real-effect";

const phases = new Map([
  ["vm.swappiness", "runtime"],
  ["mitigations", "boot"],
  ["init_on_alloc", "boot"],
  ["journal_mode", "application"],
  ["synchronous", "application"],
]);
const def = { "vm.swappiness": 60, mitigations: "auto", init_on_alloc: 1, journal_mode: "DELETE", synchronous: "FULL" };
const best = { "vm.swappiness": 60, mitigations: "off", init_on_alloc: 0, journal_mode: "OFF", synchronous: "FULL" };

test("the best is split into its OS part and its application part, other values at the default", () => {
  const d = deriveConfigs(best, def, phases);
  assert.deepEqual(d.changed, ["mitigations", "init_on_alloc", "journal_mode"]);
  assert.deepEqual(d.osPart, { ...def, mitigations: "off", init_on_alloc: 0 });
  assert.deepEqual(d.appPart, { ...def, journal_mode: "OFF" });
  assert.deepEqual(d.best, best);
});

test("per changed parameter: the change alone on the default, and the best without it", () => {
  const d = deriveConfigs(best, def, phases);
  assert.deepEqual(d.solo.get("init_on_alloc"), { ...def, init_on_alloc: 0 });
  assert.deepEqual(d.without.get("init_on_alloc"), { ...best, init_on_alloc: 1 });
  assert.deepEqual([...d.solo.keys()], d.changed);
  // A parameter equal to its default is neither varied alone nor removed.
  assert.equal(d.solo.has("vm.swappiness"), false);
});

test("values compare as text: 0 and \"0\" are the same value, so no spurious change", () => {
  const d = deriveConfigs({ ...def, init_on_alloc: "1" }, def, phases);
  assert.deepEqual(d.changed, []);
});

// ---- the command on the studies recorded for BENCHMARKS.md (real VMs, see its real-effect section) ----

const data = "datasets/harness";
const study = (name: string) => join(data, `real-effect-sqlite-${name}.sqlite`);
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ["bin/wayfinder.js", "bench", "real-effect", ...args], { encoding: "utf8", timeout: 60_000 });

function okValues(file: string) {
  const s = SqliteStudyStore.open(file, { readonly: true });
  try {
    return s.evaluations().filter((e) => e.state === "done" && e.outcome?.ok).map((e) => ({
      seq: e.seq,
      isDefault: e.isDefault,
      config: e.config,
      value: (e.outcome as { value: number }).value,
      repeats: (e.repeats ?? []).map((r) => (r.outcome as { value: number }).value),
    }));
  } finally {
    s.close();
  }
}

test("--configs-out re-measures the search's best: the lowest us_per_insert of the recorded search", () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-real-effect-"));
  try {
    const r = cli("--search", study("wide-search"), "--configs-out", dir);
    assert.equal(r.status, 0, r.stderr);
    const evals = okValues(study("wide-search"));
    const best = evals.reduce((a, b) => (b.value < a.value ? b : a));
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "reproduce.json"), "utf8")), [best.config]);
    const ablation = JSON.parse(readFileSync(join(dir, "ablation.json"), "utf8")) as Record<string, unknown>[];
    const def = evals.find((e) => e.isDefault)!.config;
    // Every attribution configuration differs from the default, and each "alone" one in exactly one parameter.
    for (const c of ablation) assert.notDeepEqual(c, def);
    const singles = ablation.filter((c) => Object.keys(def).filter((k) => String(c[k]) !== String(def[k])).length === 1);
    const changed = Object.keys(def).filter((k) => String(best.config[k]) !== String(def[k]));
    assert.equal(singles.length, changed.length);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("the section's verdict is the gain of the re-measured best over the re-measured default, from the stores", () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-real-effect-"));
  try {
    const out = join(dir, "B.md");
    const r = cli("--search", study("wide-search"), "--search", study("os-search"),
      "--reproduce", study("wide-reproduce"), "--reproduce", study("os-reproduce"),
      "--ablation", study("wide-ablation"), "--ablation", study("os-ablation"), "--command", "the commands", "--out", out);
    assert.equal(r.status, 0, r.stderr);
    const md = readFileSync(out, "utf8");
    assert.match(md, /<!-- BEGIN real-effect -->\n## real-effect/);
    for (const name of ["wide", "os"]) {
      const rep = okValues(study(`${name}-reproduce`));
      const def = rep.find((e) => e.isDefault)!;
      const best = rep.find((e) => !e.isDefault)!;
      assert.ok(def.repeats.length >= 5 && best.repeats.length >= 5, "at least 5 boots each");
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const g = mean(def.repeats) / mean(best.repeats) - 1; // lower is better
      assert.ok(g > 0, `${name}: the best is faster than the default when re-measured`);
      const line = `- linux-sqlite-${name}, ${study(`${name}-reproduce`)}: +${(g * 100).toFixed(1)}% (deterministic mode, `;
      const at = md.indexOf(line);
      assert.ok(at >= 0, `expected the verdict line: ${line}`);
      assert.match(md.slice(at).split("\n")[0], /CV of the default 0\.00%, of the best 0\.00%\), beyond the repeat noise$/);
    }
    assert.match(md, /\| journal_mode \| application \| DELETE \| /);
    assert.match(md, /\| init_on_alloc \| boot \| 1 \| 0 \|/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("a re-measurement of another job is refused with both studies named", () => {
  const r = cli("--search", study("os-search"), "--reproduce", study("wide-reproduce"));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /real-effect-sqlite-wide-reproduce\.sqlite: a study of job "linux-sqlite-wide", but no --search study has that job/);
  assert.match(r.stderr, /real-effect-sqlite-os-search\.sqlite = linux-sqlite-os/);
});
