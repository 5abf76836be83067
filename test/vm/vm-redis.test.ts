/**
 * The linux-redis example job on a real VM (Redis 7 from Debian in the initramfs, redis-benchmark in the
 * guest), with a much shorter benchmark than the job's: the application path works, and an application
 * setting that Redis refuses is an application failure with Redis's own message as evidence.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { loadJob } from "../../harness/jobs/job";
import { evaluate, type ParamBinding } from "../../harness/vm/evaluator";
import { validateTarget } from "../../harness/vm/validate-target";

const skip = spawnSync("qemu-system-x86_64", ["-version"]).status === 0 ? false : "qemu-system-x86_64 is not installed (Debian package qemu-system-x86)";

function setup() {
  const job = loadJob(join(import.meta.dirname, "../../harness/examples/linux-redis.yaml"));
  const params: ParamBinding[] = job.parameters.map((p) => ({ name: p.name, phase: p.phase as ParamBinding["phase"] }));
  const target = validateTarget(job.target, { objective: job.objectives[0].metric, params });
  target.benchmark.run = "redis-benchmark -q -n 300 -c 10 -t set,get";
  target.vm.accel = "tcg";
  return { target, params, config: job.space.defaultConfig() as Record<string, number | string> };
}

test("linux-redis default configuration: throughput measured, every parameter applied", { skip }, async () => {
  const { target, params, config } = setup();
  const r = await evaluate({ target, params, config });
  assert.ok(r.outcome.ok, r.logExcerpt);
  assert.ok(r.outcome.ok && r.outcome.value > 0);
  assert.equal(r.metrics.throughput, r.outcome.ok ? r.outcome.value : NaN);
  assert.match(r.benchmarkOutput ?? "", /SET: [0-9.]+ requests per second/);
  for (const p of params) assert.equal(r.paramStatus[p.name], "applied", `${p.name}: ${r.paramStatus[p.name]}`);
});

test("a redis.conf value Redis refuses is an application failure with Redis's message", { skip }, async () => {
  const { target, params, config } = setup();
  target.application.readyTimeoutS = 5;
  const r = await evaluate({ target, params, config: { ...config, "maxmemory-policy": "fastest-please" } });
  assert.ok(!r.outcome.ok);
  assert.ok(!r.outcome.ok && r.outcome.phase === "runtime", JSON.stringify(r.outcome));
  assert.match(!r.outcome.ok ? r.outcome.evidence ?? "" : "", /not-ready/);
  assert.match(!r.outcome.ok ? r.outcome.evidence ?? "" : "", /FATAL CONFIG FILE ERROR[\s\S]*maxmemory-policy/);
  assert.ok(!r.notes.some((n) => n.startsWith("building guest image")), "an application value must not rebuild the image");
});
