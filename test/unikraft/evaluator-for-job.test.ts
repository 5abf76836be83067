// evaluatorForJob picks the harness from target.kind and validates the section at the job file's lines.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { WayfinderError } from "../../lib/errors";
import { loadJob, parseJob } from "../../harness/jobs/job";
import { evaluatorForJob } from "../../harness/run/evaluator-for-job";

const examples = join(import.meta.dirname, "../../harness/examples");

test("linux examples get the VM evaluator (an explicit kind: linux too), unikraft-nginx the Unikraft one", () => {
  const linux = evaluatorForJob(loadJob(join(examples, "linux-nginx.yaml")));
  assert.equal(linux.kind, "linux");
  assert.equal(linux.kind === "linux" && linux.runnable.target.vm.memoryMiB, 512);
  const text = `name: k
objective: { metric: throughput, direction: max }
parameters:
  - { name: vm.swappiness, phase: runtime, type: integer, min: 0, max: 100, default: 60 }
target:
  kind: linux
  image: { packages: [wrk], binaries: [/usr/bin/wrk] }
  benchmark: { run: "wrk http://127.0.0.1/", metrics: [{ name: throughput, pattern: 'Requests/sec:\\s+([0-9.]+)' }] }
`;
  assert.equal(evaluatorForJob(parseJob(text, "k.yaml")).kind, "linux");
  const uk = evaluatorForJob(loadJob(join(examples, "unikraft-nginx.yaml")));
  assert.equal(uk.kind, "unikraft");
  assert.equal(uk.kind === "unikraft" && uk.target.net?.guestPort, 80);
  assert.deepEqual(uk.kind === "unikraft" && uk.target.build.choices.ALLOCATOR?.tlsf, { LIBUKALLOCBBUDDY: "n", LIBUKALLOCREGION: "n", LIBTLSF: "y" });
});

test("an unknown kind and a bad unikraft section are errors at the file's line and column", () => {
  const job = (target: string) => parseJob(`name: u
objective: { metric: throughput, direction: max }
parameters:
  - { name: HZ, phase: compile, type: choice, values: [100, 1000] }
  - { name: C, phase: runtime, type: choice, values: [1, 2] }
target:
${target}`, "u.yaml");
  assert.throws(() => evaluatorForJob(job("  kind: unikernel\n")), (e: unknown) =>
    e instanceof WayfinderError && e.message === 'u.yaml:7:9: target.kind: target kind "unikernel" is not one this harness runs; expected linux or unikraft');
  assert.throws(() => evaluatorForJob(job("  kind: unikraft\n  checkout: { app: apps/x }\n  build: { options: { C: C } }\n  benchmark: { tool: wrk, argv: ['{{PORT}}'] }\n")), (e: unknown) =>
    e instanceof WayfinderError && /^u\.yaml:9:26: target\.build\.options\.C: parameter C has phase runtime; only compile-time parameters become Kconfig values$/.test(e.message));
  assert.throws(() => evaluatorForJob(job("  kind: unikraft\n  checkout: { app: apps/x }\n  benchmark: { tool: wrk, argv: ['{{PORT}}', '-c{{CONNS}}'] }\n")), /u\.yaml:9:.*\{\{CONNS\}\} names no parameter of this job/);
});
