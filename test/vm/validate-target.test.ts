import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadJob } from "../../harness/jobs/job";
import { validateTarget } from "../../harness/vm/validate-target";
import { preflight, findQemu } from "../../harness/vm/preflight";
import { WayfinderError } from "../../lib/errors";
import { validationProblem } from "./validation-problem";

const minimal = { benchmark: { run: "true", metrics: [{ name: "score", pattern: "score=([0-9]+)" }] } };

test("defaults are filled in for a minimal section", () => {
  const t = validateTarget(minimal);
  assert.equal(t.vm.accel, "auto");
  assert.equal(t.vm.memoryMiB, 256);
  assert.equal(t.benchmark.primary, "score");
  assert.deepEqual(t.boot, { args: [], flags: [] });
  assert.equal(t.timeouts.totalS, 600);
});

const problem = validationProblem;

test("malformed sections: each error names the field, the bad value and what is valid", () => {
  assert.match(problem({ ...minimal, vm: { memoryMiB: "lots" } }), /^target\.vm\.memoryMiB: expected an integer from 64 to 65536, got "lots"/);
  assert.match(problem({ ...minimal, vm: { accel: "hvf" } }), /target\.vm\.accel: accel "hvf" is not valid; expected auto, kvm or tcg/);
  assert.match(problem({ ...minimal, vm: { memory: 512 } }), /target\.vm\.memory: unknown key "memory" in target\.vm; valid keys: memoryMiB/);
  assert.match(problem({ ...minimal, kernel: { package: "linux-image-cloud-amd64", path: "/boot/vmlinuz" } }), /either kernel\.package .* or kernel\.path/);
  assert.match(problem({ ...minimal, image: { packages: ["Redis Server"] } }), /target\.image\.packages\[0\]: "Redis Server" is not valid; expected a Debian package name/);
  assert.match(problem({ ...minimal, image: { packages: ["redis-server"], binaries: ["redis-server"] } }), /binaries\[0\].*expected an absolute path/);
  assert.match(problem({ ...minimal, boot: { args: ["init=/bin/sh"] } }), /target\.boot\.args\[0\]: boot parameter "init" is set by the harness/);
  assert.match(problem({ ...minimal, boot: { args: ["quiet splash"] } }), /target\.boot\.args\[0\]: boot parameter name "quiet splash"/);
  assert.match(problem({ ...minimal, runtime: { paths: { x: "/etc/passwd" } } }), /target\.runtime\.paths\.x: "\/etc\/passwd" is not valid; expected a file under \/proc\/sys or \/sys/);
  assert.match(problem({ ...minimal, runtime: { paths: { x: "/proc/sys/../../etc/passwd" } } }), /must not contain "\.\."|is not valid/);
  assert.match(problem({ benchmark: { run: "true", metrics: [{ name: "m", pattern: "([0-9]+" }] } }), /metrics\[0\]\.pattern: not a valid regular expression/);
  assert.match(problem({ benchmark: { run: "true", metrics: [{ name: "m", pattern: "[0-9]+" }] } }), /has no capture group/);
  assert.match(problem({ benchmark: { run: "true", metrics: [] } }), /list at least one metric/);
  assert.match(problem({}), /target\.benchmark: the target needs a benchmark section/);
  assert.match(problem({ ...minimal, application: { configs: [{ path: "/etc/a", format: "yaml", template: "" }] } }), /format "yaml" is not valid; expected redis, nginx, sql or raw/);
  assert.match(problem({ ...minimal, timeouts: { bootS: 100, totalS: 50 } }), /totalS \(50\) must be at least bootS \(100\)/);
  assert.match(problem(minimal, { objective: "latency" }), /objective metric "latency" is not one of the benchmark's metrics \(score\)/);
  assert.match(problem("nope"), /the target section must be a mapping/);
});

test("with the job's parameters: templates, runtime paths and flags must name the right phase", () => {
  const params = [
    { name: "hz", phase: "application" },
    { name: "vm.swappiness", phase: "runtime" },
    { name: "nosmt", phase: "boot" },
  ];
  const app = (template: string) => ({ ...minimal, application: { configs: [{ path: "/etc/a.conf", format: "redis", template }] } });
  assert.match(problem(app("hz {{hz}}\nx {{nope}}"), { params }), /placeholder \{\{nope\}\} is not a parameter of this job/);
  assert.match(problem(app("hz {{hz}} {{vm.swappiness}}"), { params }), /names a runtime-phase parameter/);
  assert.match(problem(app("nothing"), { params }), /application parameter hz appears in no config template/);
  assert.match(problem({ ...app("{{hz}}"), boot: { flags: ["hz"] } }, { params }), /boot\.flags\[0\]: "hz" is not a boot-phase parameter/);
  validateTarget({ ...app("hz {{hz}}"), boot: { flags: ["nosmt"] } }, { params });
});

test("errors can be located in the job file through a fail callback", () => {
  const calls: unknown[] = [];
  assert.throws(() =>
    validateTarget({ ...minimal, vm: { cpus: 0 } }, {
      fail: (path, message) => {
        calls.push(path);
        throw new WayfinderError(`job.yaml:9:3: ${message}`);
      },
    }),
  /job\.yaml:9:3: expected an integer from 1 to 64, got 0/);
  assert.deepEqual(calls, [["vm", "cpus"]]);
});

test("every example job loads and its target section validates against its parameters", () => {
  const dir = join(import.meta.dirname, "../../harness/examples");
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
  // Unikraft examples are validated by test/unikraft (evaluator-for-job); compile-time examples
  // (target.build) specialise the kernel itself and need not vary the application.
  const linux = files.map((f) => ({ f, job: loadJob(join(dir, f)) })).filter(({ job }) => job.targetKind !== "unikraft");
  const applications = linux.filter(({ job }) => !("build" in (job.target as object)));
  assert.ok(applications.length >= 4, `only ${applications.length} application example jobs`);
  for (const { f, job } of linux) {
    const { build: _build, ...vmSection } = job.target as Record<string, unknown>;
    void _build;
    const t = validateTarget(vmSection, {
      fail: (p, m) => job.source.fail(["target", ...p], m),
      objective: job.objectives[0].metric,
      params: job.parameters.filter((p) => p.phase !== "compile").map((p) => ({ name: p.name, phase: p.phase })),
    });
    assert.ok(t.benchmark.metrics.length > 0, f);
  }
  for (const { f, job } of applications) {
    const phases = new Set(job.parameters.map((p) => p.phase));
    for (const ph of ["runtime", "boot", "application"]) assert.ok(phases.has(ph as never), `${f} varies no ${ph} parameter`);
    for (const area of ["net.", "vm.", "kernel.", "fs."]) assert.ok(job.parameters.some((p) => p.name.startsWith(area)), `${f} has no ${area}* sysctl`);
    assert.equal(job.fixed["kernel.randomize_va_space"], 2, `${f} must pin ASLR`);
  }
});

test("a missing QEMU binary and an unreadable kernel are clear errors before anything boots", () => {
  const t = validateTarget({ ...minimal, vm: { qemu: "qemu-system-nonexistent" } });
  assert.throws(() => preflight(t), /QEMU binary "qemu-system-nonexistent" is not on PATH; install the Debian package qemu-system-x86/);
  assert.throws(() => findQemu("/nonexistent/qemu"), /does not exist or is not executable/);
  const k = validateTarget({ ...minimal, kernel: { path: "/nonexistent/vmlinuz" }, vm: { qemu: process.execPath } });
  assert.throws(() => preflight(k), /target\.kernel\.path "\/nonexistent\/vmlinuz" is not readable \(ENOENT\)/);
});
