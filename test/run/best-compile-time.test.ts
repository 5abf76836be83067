// `wayfinder best` on Linux studies whose kernel is built per configuration (target.build), through the
// real CLI: the committed RISC-V footprint studies (real builds and boots) and an x86 study written
// through the store API with made-up measurements. The expected Kconfig lines are derived here from the
// store's own evaluations and the job stored in it (the .config spelling: y -> CONFIG_X=y, n -> "# CONFIG_X
// is not set", an integer -> CONFIG_X=<n>), never copied from the report.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { bestEvaluation } from "../../harness/run/run-study";
import { runnableJobFromText } from "../../harness/run/runnable-job";
import { SqliteStudyStore } from "../../harness/store";
import { writeStudy } from "./fixtures/write-study";
import type { Config } from "../../lib/search/searcher";
import { reportSection } from "./fixtures/report-section";

const root = join(import.meta.dirname, "../..");
const best = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, "bin/wayfinder.js"), "best", ...args], { encoding: "utf8", timeout: 60_000, cwd: root });

const section = reportSection;

/** How .config spells a value of symbol `sym`, written independently of the harness's renderer. */
function dotConfigLine(sym: string, value: unknown): string {
  return value === "n" ? `# CONFIG_${sym} is not set` : `CONFIG_${sym}=${String(value)}`;
}

/** The -/+ lines a diff of the two configurations' fragments must have (symbols whose value changed). */
function expectedDiff(options: Record<string, string>, def: Config, bestConfig: Config): { minus: string[]; plus: string[] } {
  const minus: string[] = [];
  const plus: string[] = [];
  for (const [name, sym] of Object.entries(options)) {
    if (String(def[name]) === String(bestConfig[name])) continue;
    minus.push(`-${dotConfigLine(sym, def[name])}`);
    plus.push(`+${dotConfigLine(sym, bestConfig[name])}`);
  }
  return { minus: minus.sort(), plus: plus.sort() };
}

function diffLines(diff: string, sign: "-" | "+"): string[] {
  return diff.split("\n").filter((l) => l.startsWith(sign) && !l.startsWith(`${sign}${sign}${sign} `)).sort();
}

for (const study of ["deeptune", "random"]) {
  test(`best on the committed RISC-V footprint study (${study}) shows the Kconfig fragment of the best kernel against the default`, () => {
    const file = join(root, `datasets/harness/riscv-footprint-${study}.sqlite`);
    const store = SqliteStudyStore.open(file, { readonly: true });
    const info = store.info();
    const evals = store.evaluations();
    store.close();
    const rj = runnableJobFromText(info.jobText, info.jobPath);
    const build = rj.target.build;
    assert.ok(build, "the stored job builds its kernel");
    const bestEval = bestEvaluation(evals, info.direction)!;
    const defEval = evals.find((e) => e.isDefault)!;
    const want = expectedDiff(build.options, defEval.config, bestEval.config);
    assert.ok(want.plus.length > 0, "the best kernel differs from the default in some option");

    const r = best(file);
    assert.equal(r.status, 0, r.stderr);
    const kc = section(r.stdout, "Kconfig fragment");
    assert.match(r.stdout, new RegExp(`^## Kconfig fragment \\(${build.arch} kernel; .*base ${build.base} `, "m"));
    assert.match(kc, new RegExp(`^\\+\\+\\+ best \\(evaluation #${bestEval.seq}\\)$`, "m"));
    assert.match(kc, new RegExp(`^--- default \\(evaluation #${defEval.seq}\\)$`, "m"));
    assert.deepEqual(diffLines(kc, "-"), want.minus);
    assert.deepEqual(diffLines(kc, "+"), want.plus);
    // a symbol the best configuration left at its default value has no -/+ line
    for (const [name, sym] of Object.entries(build.options)) {
      if (String(defEval.config[name]) === String(bestEval.config[name])) assert.doesNotMatch(kc, new RegExp(`^[-+].*CONFIG_${sym}[= ]`, "m"));
    }

    const j = best(file, "--json");
    assert.equal(j.status, 0, j.stderr);
    const json = JSON.parse(j.stdout);
    assert.deepEqual(json.kernel, { arch: build.arch, base: build.base });
    assert.equal(json.kernel.arch, "riscv");
    assert.equal(json.kconfigDiff.trimEnd(), kc);
    assert.equal(json.best.seq, bestEval.seq);
  });
}

const X86 = join(root, "harness/examples/linux-footprint.yaml");

/** An x86 footprint study of `jobText` (the first configuration is the default; null = failed build). */
function writeFootprintStudy(file: string, jobText: string, jobPath: string, evaluations: Array<[Config, number | null]>): void {
  writeStudy(file, { name: "x86-footprint-best", jobText, jobPath, objective: "footprint_kib", direction: "min", evaluations });
}

const x86Default: Config = { LOG_BUF_SHIFT: 17, KALLSYMS: "y", PRINTK_TIME: "y", AIO: "y", EPOLL: "y", SIGNALFD: "y", TIMERFD: "y", EVENTFD: "y" };

test("best on an x86 compile-time study written through the store API shows the changed Kconfig lines, the arch and the base", () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-best-x86-"));
  try {
    const file = join(dir, "s.sqlite");
    const bestConfig = { ...x86Default, LOG_BUF_SHIFT: 12, AIO: "n", EVENTFD: "n" };
    writeFootprintStudy(file, readFileSync(X86, "utf8"), X86, [
      [x86Default, 20000],
      [{ ...x86Default, EPOLL: "n" }, null], // a failed build is never the best
      [bestConfig, 19000],
      [{ ...x86Default, LOG_BUF_SHIFT: 13 }, 19500],
    ]);
    const r = best(file);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^# {3}best: {4}evaluation #2: 19,?000, 1 repeat$/m);
    assert.match(r.stdout, /^# 3 parameter\(s\) differ from the default$/m);
    assert.match(r.stdout, /^## Kconfig fragment \(x86 kernel; .*base tinyconfig /m);
    const kc = section(r.stdout, "Kconfig fragment");
    assert.deepEqual(diffLines(kc, "-"), ["-CONFIG_AIO=y", "-CONFIG_EVENTFD=y", "-CONFIG_LOG_BUF_SHIFT=17"]);
    assert.deepEqual(diffLines(kc, "+"), ["+# CONFIG_AIO is not set", "+# CONFIG_EVENTFD is not set", "+CONFIG_LOG_BUF_SHIFT=12"]);
    assert.doesNotMatch(kc, /EPOLL|KALLSYMS|PRINTK_TIME|SIGNALFD|TIMERFD/);
    // the guest-side sections are still there (this job has no runtime parameter)
    assert.equal(section(r.stdout, "sysctl.conf fragment"), "(no runtime sysctl differs from the default)");
    assert.match(section(r.stdout, "kernel command line"), /^\(same as the default\) /);

    const json = JSON.parse(best(file, "--json").stdout);
    assert.deepEqual(json.kernel, { arch: "x86", base: "tinyconfig" });
    assert.equal(json.kconfigDiff.trimEnd(), kc);
    assert.deepEqual(json.changed.LOG_BUF_SHIFT, { default: 17, best: 12 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("best on a compile-time study whose default is the best says that no compile-time option differs", () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-best-x86-"));
  try {
    const file = join(dir, "s.sqlite");
    writeFootprintStudy(file, readFileSync(X86, "utf8"), X86, [[x86Default, 18000], [{ ...x86Default, AIO: "n" }, 18500]]);
    const r = best(file);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(section(r.stdout, "Kconfig fragment"), "(no compile-time option differs from the default)");
    const json = JSON.parse(best(file, "--json").stdout);
    assert.equal(json.kconfigDiff, "");
    assert.equal(json.kernel.arch, "x86");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("best on an x86 study varying compile-time and runtime parameters shows both the Kconfig and the sysctl diffs", () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-best-x86-"));
  try {
    const file = join(dir, "s.sqlite");
    const example = readFileSync(X86, "utf8");
    const eventfd = example.split("\n").find((l) => l.includes("name: EVENTFD"))!;
    const jobText = example
      .replace("vary: [compile]", "vary: [compile, runtime]")
      .replace(eventfd, `${eventfd}\n  - { name: vm.swappiness, phase: runtime, type: integer, min: 0, max: 100, default: 60 }`);
    assert.notEqual(jobText, example);
    const def = { ...x86Default, "vm.swappiness": 60 };
    writeFootprintStudy(file, jobText, join(dir, "job.yaml"), [[def, 20000], [{ ...def, PRINTK_TIME: "n", "vm.swappiness": 10 }, 19000]]);
    const r = best(file);
    assert.equal(r.status, 0, r.stderr);
    const kc = section(r.stdout, "Kconfig fragment");
    assert.deepEqual(diffLines(kc, "-"), ["-CONFIG_PRINTK_TIME=y"]);
    assert.deepEqual(diffLines(kc, "+"), ["+# CONFIG_PRINTK_TIME is not set"]);
    assert.doesNotMatch(kc, /swappiness/);
    const sysctl = section(r.stdout, "sysctl.conf fragment");
    assert.deepEqual(diffLines(sysctl, "+"), ["+vm.swappiness = 10"]);
    assert.doesNotMatch(sysctl, /PRINTK/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("best on a runtime-only Linux study has no Kconfig part", () => {
  const file = join(root, "datasets/harness/fig02-redis-random.sqlite");
  const r = best(file);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /^## Kconfig fragment/m);
  const json = JSON.parse(best(file, "--json").stdout);
  assert.equal(json.kernel, undefined);
  assert.equal(json.kconfigDiff, undefined);
});
