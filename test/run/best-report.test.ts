// `best` on a hand-made study (no VM): the report's numbers and diffs come from the stored evaluations
// and the VM harness's real config layer.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TargetSpec } from "../../harness/vm/target";
import type { ParamBinding } from "../../harness/vm/evaluator";
import type { EvaluationRecord, StudyInfo } from "../../harness/store";
import { bestReport, sysctlKey } from "../../harness/run/best-report";
import { renderForReview } from "../../harness/run/render-for-review";
import { unifiedDiff } from "../../harness/run/line-diff";

const target: TargetSpec = {
  kernel: {},
  image: { packages: [], binaries: [] },
  vm: { memoryMiB: 256, cpus: 1, accel: "tcg", deterministic: true },
  boot: { args: ["mitigations=auto"], flags: ["nosmt"] },
  runtime: { paths: { thp: "/sys/kernel/mm/transparent_hugepage/enabled" } },
  application: {
    configs: [{ path: "/etc/redis/redis.conf", format: "redis", template: "port 6379\nhz {{hz}}\ntcp-backlog 511\n" }],
    readyTimeoutS: 5,
  },
  benchmark: { run: "true", metrics: [{ name: "rps", pattern: "(\\d+)" }], primary: "rps" },
  timeouts: { bootS: 60, totalS: 120 },
};
const params: ParamBinding[] = [
  { name: "net.core.somaxconn", phase: "runtime" },
  { name: "vm.swappiness", phase: "runtime" },
  { name: "thp", phase: "runtime" },
  { name: "nosmt", phase: "boot" },
  { name: "clocksource", phase: "boot" },
  { name: "hz", phase: "application" },
];
const def = { "net.core.somaxconn": 4096, "vm.swappiness": 60, thp: "always", nosmt: "n", clocksource: "tsc", hz: 10 };
const info: StudyInfo = {
  name: "redis-test", jobText: "", jobPath: "x.yaml", job: {}, searcher: "random", seed: 1, repeats: 3,
  budget: { iterations: 3 }, objective: "rps", direction: "max", defaultConfig: def, createdAt: "", formatVersion: 1,
};
function ev(seq: number, config: Record<string, string | number>, value: number | null, std = 1): EvaluationRecord {
  return {
    seq, config, state: "done", isDefault: seq === 0, session: 1, attempts: 1, startedAt: "",
    outcome: value === null ? { ok: false, phase: "boot" } : { ok: true, value },
    metrics: { objective_std: std }, repeats: [1, 2, 3].map(() => ({ outcome: { ok: true as const, value: value ?? 0 }, metrics: {}, seconds: 1 })),
  };
}

test("best shows sysctl, /sys, command-line and app-config diffs against the default, with the gain and noise verdict", () => {
  const bestCfg = { ...def, "net.core.somaxconn": 128, thp: "never", nosmt: "y", hz: 100 };
  const evals = [ev(0, def, 1000, 5), ev(1, { ...def, "vm.swappiness": 0 }, null), ev(2, bestCfg, 1100, 5), ev(3, { ...def, hz: 50 }, 1050, 5)];
  const r = bestReport(info, evals, renderForReview(target, params), "s.sqlite")!;
  assert.equal(r.best.seq, 2);
  assert.ok(Math.abs(r.gain! - 0.1) < 1e-12);
  assert.equal(r.beyondNoise, true);
  assert.deepEqual(Object.keys(r.changed).sort(), ["hz", "net.core.somaxconn", "nosmt", "thp"]);
  assert.match(r.sysctlDiff, /^-net\.core\.somaxconn = 4096$/m);
  assert.match(r.sysctlDiff, /^\+net\.core\.somaxconn = 128$/m);
  assert.doesNotMatch(r.sysctlDiff, /swappiness/, "unchanged sysctls are not in the diff");
  assert.match(r.sysfsDiff, /^\+w \/sys\/kernel\/mm\/transparent_hugepage\/enabled - - - - never$/m);
  assert.match(r.cmdline.best, /mitigations=auto.* nosmt/);
  assert.doesNotMatch(r.cmdline.default, /nosmt/);
  assert.match(r.fileDiffs[0].diff, /^-hz 10\n\+hz 100$/m);
  assert.match(r.text, /gain over default: \+10\.0% \(beyond the repeat noise/);
  assert.doesNotMatch(r.text, /change of the/, "a higher-is-better gain is the change of the value");

  // The same gain with a large spread is reported as not beyond the noise.
  const noisy = [ev(0, def, 1000, 200), ev(2, bestCfg, 1100, 200)];
  const n = bestReport(info, noisy, renderForReview(target, params), "s.sqlite")!;
  assert.equal(n.beyondNoise, false);
  assert.match(n.text, /NOT beyond the repeat noise/);
});

test("best for a minimised objective and a failed default", () => {
  const minInfo = { ...info, direction: "min" as const };
  const r = bestReport(minInfo, [ev(0, def, 200), ev(1, { ...def, hz: 20 }, 160)], renderForReview(target, params), "s")!;
  assert.equal(r.best.seq, 1);
  assert.ok(Math.abs(r.gain! - 0.25) < 1e-12, "200 -> 160 us/op is 25 % better");
  assert.match(r.text, /gain over default: \+25\.0%/);
  assert.match(r.text, /change of the rps: -20\.0% \(the gain above is default \/ best - 1\)/, "the value itself fell by a fifth");
  const f = bestReport(info, [ev(0, def, null), ev(1, { ...def, hz: 20 }, 160)], renderForReview(target, params), "s")!;
  assert.equal(f.gain, undefined);
  assert.match(f.text, /default configuration failed: no gain/);
  assert.equal(bestReport(info, [ev(0, def, null)], renderForReview(target, params), "s"), undefined);
});

test("sysctl keys and the line diff", () => {
  assert.equal(sysctlKey("/proc/sys/net/ipv4/tcp_fin_timeout"), "net.ipv4.tcp_fin_timeout");
  assert.equal(sysctlKey("/proc/sys/net/ipv4/conf/eth0.100/forwarding"), "net/ipv4/conf/eth0.100/forwarding");
  assert.equal(unifiedDiff("a\nb\n", "a\nb\n", { fromLabel: "x", toLabel: "y" }), "");
  assert.equal(
    unifiedDiff("a\nb\nc\nd\ne\nf\ng\nh\n", "a\nB\nc\nd\ne\nf\ng\nh\ni\n", { fromLabel: "x", toLabel: "y" }),
    "--- x\n+++ y\n@@ -1,4 +1,4 @@\n a\n-b\n+B\n c\n d\n@@ -7,2 +7,3 @@\n g\n h\n+i\n",
  );
});
