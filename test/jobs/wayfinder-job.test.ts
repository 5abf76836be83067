// The reader for the original Wayfinder job files, run on every file of ../shared/wayfinder-jobs.
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Rng } from "../../lib/random";
import { sampleConfig } from "../../lib/space/sample";
import { JobSource } from "../../harness/jobs/job-source";
import { formatQuirk, importWayfinderJob, readWayfinderJob } from "../../harness/jobs/wayfinder-job";

const root = join(import.meta.dirname, "../../../shared/wayfinder-jobs");
const files = existsSync(root) ? readdirSync(root).flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith(".yaml")).map((f) => join(root, d, f))) : [];

test("every original job file maps onto a valid space (sampled points pass the space's own check)", (t) => {
  if (files.length === 0) return t.skip(`no job files at ${root}`);
  assert.equal(files.length, 17);
  const rng = new Rng(1);
  for (const f of files) {
    const job = readWayfinderJob(f);
    assert.ok(job.parameters.length > 0, f);
    assert.ok(job.results.length > 0, `${f}: no results found`);
    for (let i = 0; i < 5; i++) assert.deepEqual(job.space.check(sampleConfig(job.space, rng)), [], f);
    for (const q of job.quirks) assert.match(formatQuirk(job.file, q), /^.+:\d+:\d+: /);
  }
});

test("unikraft-nginx big job: 33 parameters, conditions on ALLOCATOR, the duplicated only value reported", (t) => {
  const f = join(root, "unikraft-nginx/big-job.yaml");
  if (!existsSync(f)) return t.skip(`missing ${f}`);
  const job = readWayfinderJob(f);
  assert.equal(job.parameters.length, 33);
  const align = job.space.get("LIBTINYALLOC_ALIGNMENT");
  assert.equal(align.phase, "compile");
  assert.deepEqual(align.condition, { op: "eq", name: "ALLOCATOR", value: "tinyalloc" });
  assert.deepEqual(job.space.get("LWIP_TCP_SND_BUF").type === "choice" && job.space.get("LWIP_TCP_SND_BUF"), {
    name: "LWIP_TCP_SND_BUF",
    phase: "compile",
    description: "The send buffer size.",
    type: "choice",
    values: [1048576, 256000, 524288, 1572864, 2097152],
    default: 1048576,
  });
  assert.deepEqual(
    job.quirks.map((q) => formatQuirk("big-job.yaml", q)),
    ["big-job.yaml:142:40: LWIP_TCP_SND_BUF: value 1048576 is listed twice in only; kept once"],
  );
  assert.equal(job.space.get("LWIP_UKNETDEV_POLLONLY").type, "boolean");
});

test("linux-redis: build/boot/runtime phases, ranges kept with their default, quirks located", (t) => {
  const f = join(root, "linux-redis/job.yaml");
  if (!existsSync(f)) return t.skip(`missing ${f}`);
  const job = readWayfinderJob(f);
  assert.equal(job.space.get("CONFIG_SMP").phase, "compile");
  assert.equal(job.space.get("CLOCKSOURCE").phase, "boot", "passed as clocksource=${CLOCKSOURCE}");
  assert.equal(job.space.get("SOMAXCONN").phase, "runtime", "passed as SOMAXCONN=${SOMAXCONN} to init");
  assert.deepEqual(job.space.get("AIO_MAX_NR"), { name: "AIO_MAX_NR", phase: "runtime", type: "integer", min: 0, max: 6553600000, default: 65536 });
  assert.deepEqual(job.space.get("RPS_FLOW_CNT"), { name: "RPS_FLOW_CNT", phase: "runtime", type: "fixed", value: 0 });
  const text = job.quirks.map((q) => formatQuirk("job.yaml", q));
  assert.ok(text.some((q) => /RPS_FLOW_CNT: integer written as the string "0"; read as 0/.test(q)));
  assert.ok(text.some((q) => /uses \$\{TCP_RFC\}, which no parameter defines/.test(q)));
  const fixed = readWayfinderJob(f, { onlyAsFixed: true });
  assert.equal(fixed.space.get("AIO_MAX_NR").type, "fixed");
});

test("linux-riscv: results indented under benchtool are found and reported", (t) => {
  const f = join(root, "linux-riscv/job.yaml");
  if (!existsSync(f)) return t.skip(`missing ${f}`);
  const job = readWayfinderJob(f);
  assert.deepEqual(job.results.map((r) => r.name), ["boot"]);
  assert.ok(job.quirks.some((q) => /results is nested under benchtool/.test(q.message)));
  assert.ok(job.parameters.every((p) => p.phase === "compile" && p.type === "boolean"));
});

test("bad original files: unknown condition names are reported (or rejected with strict), bad types rejected", () => {
  const text = `params:
  - { name: A, type: string, only: ["x", "y"] }
  - { name: B, type: int, only: [1, 2], if: "C=='x'" }
test:
  - kernel: { args: "a=\${A}" }
`;
  const job = importWayfinderJob(new JobSource("old.yaml", text));
  assert.deepEqual(job.quirks.map((q) => formatQuirk("old.yaml", q)), [
    `old.yaml:3:45: B: condition "C=='x'" names C, which is not a parameter of this job; condition dropped (always active)`,
  ]);
  assert.equal(job.space.get("A").phase, "compile");
  assert.throws(() => importWayfinderJob(new JobSource("old.yaml", text), { strict: true }), /old\.yaml:3:45: params\[1\]\.if: condition "C=='x'" names C/);
  assert.throws(() => importWayfinderJob(new JobSource("old.yaml", "params:\n  - { name: A, type: float, only: [1] }\n")), /old\.yaml:2:22: params\[0\]\.type: type "float" is not valid; expected int, integer, str or string/);
  assert.throws(() => importWayfinderJob(new JobSource("old.yaml", "params:\n  - { name: A, type: int, min: x, max: 3 }\n")), /old\.yaml:2:32: params\[0\]\.min: "x" is not an integer/);
});
