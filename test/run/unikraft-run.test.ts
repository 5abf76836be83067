// `wayfinder run` on Unikraft jobs (target.kind: unikraft). Without a checkout (none can be installed here)
// the run stops before a store exists with an error naming WAYFINDER_UNIKRAFT_DIR; the unsupported modes
// (--parallel > 1, a PostgreSQL store) are refused. End to end, the CLI drives the real Unikraft evaluator
// on the miniature checkout (test/unikraft/mini-checkout.ts: real make, Kconfig resolver, assembler, QEMU):
// the default, a better configuration and one that does not compile are recorded in the SQLite store, and
// the best report names the better one with its measured gain.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { WayfinderError } from "../../lib/errors";
import { parallelEvaluator } from "../../harness/run/parallel-evaluator";
import { SqliteStudyStore } from "../../harness/store";
import { makeMiniCheckout } from "../unikraft/mini-checkout";

const NGINX = "harness/examples/unikraft-nginx.yaml";
const cli = (args: string[], env: Record<string, string | undefined> = {}, timeout = 60_000) => {
  const e: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete e[k];
  return spawnSync(process.execPath, ["bin/wayfinder.js", ...args], { encoding: "utf8", timeout, env: e as NodeJS.ProcessEnv });
};

test("a Unikraft job without a checkout stops before a store exists, naming WAYFINDER_UNIKRAFT_DIR (exit 2, no stack trace)", () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-ukrun-"));
  const store = join(dir, "s.sqlite");
  try {
    let r = cli(["run", NGINX, "--store", store], { WAYFINDER_UNIKRAFT_DIR: undefined });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^error: no Unikraft checkout: set WAYFINDER_UNIKRAFT_DIR to the directory holding the Unikraft core, libs and apps/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    assert.equal(existsSync(store), false);

    // A directory that is not a checkout: every missing piece is listed.
    r = cli(["run", NGINX, "--store", store], { WAYFINDER_UNIKRAFT_DIR: dir });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /the Unikraft checkout is incomplete:\n {2}the Unikraft core \(checkout\.core\) \S+\/unikraft is not a directory\n {2}the application \(checkout\.app\) \S+\/apps\/nginx is not a directory/);
    assert.equal(existsSync(store), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--parallel 2 and a PostgreSQL store are refused for a Unikraft job, before the checkout is looked at", () => {
  let r = cli(["run", NGINX, "--parallel", "2"], { WAYFINDER_UNIKRAFT_DIR: undefined });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim(), `error: --parallel 2 is not supported for a Unikraft job (target.kind: unikraft, ${NGINX}) yet: run it on this host with --parallel 1 and a SQLite store`);
  r = cli(["run", NGINX, "--store", "postgres://localhost/wayfinder"]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^error: --store postgres:\/\/ is not supported for a Unikraft job/);
});

test("the run loop's evaluator refuses slot processes for a Unikraft job (they boot Linux guests only)", async () => {
  const text = readFileSync(NGINX, "utf8");
  await assert.rejects(parallelEvaluator({ parallel: 2, jobText: text, jobPath: NGINX }), (e: unknown) =>
    e instanceof WayfinderError && /^--parallel 2: a Unikraft job \(target\.kind: unikraft\) runs one evaluation at a time for now/.test(e.message));
  // --parallel 1 builds the Unikraft evaluator, which looks for the checkout only when it is first called.
  const ev = await parallelEvaluator({ parallel: 1, jobText: text, jobPath: NGINX });
  assert.deepEqual([ev.plan, ev.isolation, ev.warnings], [[], [], []]);
  await ev.close();
});

const need = ["make", "gcc", "ld", "qemu-system-x86_64"];
const missing = need.filter((c) => spawnSync("sh", ["-c", `command -v ${c}`], { stdio: "ignore" }).status !== 0);
const kconfiglib = spawnSync("/usr/bin/python3", ["-c", "import kconfiglib"], { stdio: "ignore" }).status === 0;
const why = missing.length ? `missing ${missing.join(", ")} (see scripts/apt-packages.txt)` : !kconfiglib ? "python3-kconfiglib is not installed for /usr/bin/python3" : undefined;

// The miniature app prints "ops/s: <CONFIG_HZ>" and exits; HZ=300 is a compile error in it.
const MINI_JOB = `name: mini-unikraft
objective: { metric: ops, direction: max }
budget: { iterations: 3 }
search: { searcher: random, seed: 7 }
parameters:
  - { name: HZ, phase: compile, type: choice, values: [100, 300, 1000], default: 100 }
  - { name: LWIP_NUM_TCPCON, phase: compile, type: choice, values: [16, 64], default: 64 }
  - { name: GREETING, phase: application, type: choice, values: [hi, hello], default: hi }
target:
  kind: unikraft
  checkout: { app: apps/mini, libs: [lwip] }
  build: { jobs: 1, timeoutS: 120 }
  vm: { memoryMiB: 16, accel: tcg }
  rootfs: { files: [{ path: /etc/greeting, template: "greeting {{GREETING}}\\n" }] }
  ready: { kind: console, pattern: "Powered by" }
  benchmark: { tool: console, metrics: [{ name: ops, pattern: "ops/s: ([0-9]+)" }] }
  timeouts: { bootS: 30, benchmarkS: 30 }
`;

test("wayfinder run drives the real Unikraft evaluator on the miniature checkout: store, outcomes, best report", (t) => {
  if (why) return t.skip(why);
  const root = makeMiniCheckout();
  const dir = mkdtempSync(join(tmpdir(), "wf-ukrun-"));
  try {
    const job = join(dir, "mini.yaml");
    writeFileSync(job, MINI_JOB);
    const configs = join(dir, "configs.json");
    writeFileSync(configs, JSON.stringify([{ HZ: 1000, LWIP_NUM_TCPCON: 16, GREETING: "hello" }, { HZ: 300, LWIP_NUM_TCPCON: 64, GREETING: "hi" }]));
    const store = join(dir, "s.sqlite");
    const t0 = Date.now();
    const r = cli(["run", job, "--configs", configs, "--store", store, "--cache", join(dir, "cache")], { WAYFINDER_UNIKRAFT_DIR: root }, 180_000);
    t.diagnostic(`wayfinder run on the mini checkout: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /budget spent\. 3 evaluation\(s\) recorded in \S+s\.sqlite, 1 failed\./);

    const s = SqliteStudyStore.open(store);
    const evs = s.evaluations();
    s.close();
    assert.deepEqual(evs.map((e) => e.config), [
      { HZ: 100, LWIP_NUM_TCPCON: 64, GREETING: "hi" }, { HZ: 1000, LWIP_NUM_TCPCON: 16, GREETING: "hello" }, { HZ: 300, LWIP_NUM_TCPCON: 64, GREETING: "hi" },
    ]);
    assert.deepEqual(evs[1]!.paramStatus?.GREETING, { status: "rendered", requested: "hello" });
    // The measured value is what the image built with that CONFIG_HZ printed.
    assert.deepEqual(evs[0]!.outcome, { ok: true, value: 100 });
    assert.deepEqual(evs[1]!.outcome, { ok: true, value: 1000 });
    assert.equal(evs[2]!.outcome?.ok === false && evs[2]!.outcome.phase, "build");
    assert.match(evs[2]!.outcome?.ok === false ? evs[2]!.outcome.evidence ?? "" : "", /HZ=300 is not supported by this app/);
    assert.equal(evs[1]!.provenance?.buildStatus, "built");
    assert.equal(evs[1]!.provenance?.checkout, root);

    // The report: best #1 with +900 % over the default, its JSON and the Kconfig-bound values that changed.
    assert.match(r.stdout, /# {3}best: {4}evaluation #1: 1,?000/);
    assert.match(r.stdout, /# {3}default: evaluation #0: 100\b/);
    assert.match(r.stdout, /gain over default: \+900(\.0+)? ?%/);
    assert.match(r.stdout, /## application config configuration\.json\n[\s\S]*-\s+"HZ": 100,\n[\s\S]*\+\s+"HZ": 1000,/);
    // The initrd file as the evaluator rendered it for the default and for the best configuration.
    assert.match(r.stdout, /## application config initrd \/etc\/greeting\n--- default \(evaluation #0\)\n\+\+\+ best \(evaluation #1\)\n@@ [^\n]+\n-greeting hi\n\+greeting hello\n/);

    // --resume re-reads the Unikraft job from the store (no Linux-only step): the list is used up, nothing re-runs.
    const again = cli(["run", "--resume", store, "--budget", "4", "--cache", join(dir, "cache")], { WAYFINDER_UNIKRAFT_DIR: root });
    assert.equal(again.status, 0, `${again.stdout}\n${again.stderr}`);
    assert.match(again.stdout, /3 evaluation\(s\) already recorded/);
    assert.match(again.stdout, /the search space is exhausted\. 3 evaluation\(s\) recorded/);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
