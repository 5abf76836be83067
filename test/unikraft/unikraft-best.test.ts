// `wayfinder best` on Unikraft studies (target.kind: unikraft), through the real CLI. Unikraft cannot be
// built here, so the studies are written through the store API with made-up measurements; everything the
// report shows is rendered by the Unikraft driver's own code from the job stored in the study: the Kconfig
// lines of the app's .config that differ from the default, the unikernel's command line, the initrd files
// and the benchmark command, each diffed against the default, and the gain.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SqliteStudyStore } from "../../harness/store";
import { writeStudy } from "../run/fixtures/write-study";
import type { Config } from "../../lib/search/searcher";
import { makeMiniCheckout } from "./mini-checkout";
import { reportSection } from "../run/fixtures/report-section";

const root = join(import.meta.dirname, "../..");
const NGINX = join(root, "harness/examples/unikraft-nginx.yaml");
const wayfinder = (args: string[], checkout = "", timeout = 60_000) =>
  spawnSync(process.execPath, [join(root, "bin/wayfinder.js"), ...args], {
    encoding: "utf8",
    timeout,
    cwd: root,
    env: { ...process.env, WAYFINDER_UNIKRAFT_DIR: checkout },
  });
// no checkout: best must not need one
const best = (...args: string[]) => wayfinder(["best", ...args]);

/** A study of `jobText` whose evaluations measured the given values (the first configuration is the default; null = failed). */
function writeUnikraftStudy(file: string, jobText: string, jobPath: string, evaluations: Array<[Config, number | null]>, objective = "throughput"): void {
  writeStudy(file, { name: "uk-best", jobText, jobPath, objective, direction: "max", evaluations });
}

const section = reportSection;

const nginxDefault: Config = {
  LWIP_NUM_TCPCON: 64, LWIP_NUM_TCPLISTENERS: 64, LWIP_UKNETDEV_POLLONLY: "n", LWIP_POOLS: "n", LWIP_TCP_SND_BUF: 1048576,
  ALLOCATOR: "bbuddy", KEEPALIVE_TIMEOUT: 60, WORKER_CONNECTIONS: 63, TCP_NOPUSH: "off", NUM_PARALLEL_CONNS: 30,
};

test("best on a study of the Unikraft nginx example shows the Kconfig fragment, initrd and benchmark diffs, then the gain", () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-ukbest-"));
  try {
    const file = join(dir, "s.sqlite");
    // The best one switches the allocator to TLSF (a Kconfig choice of three symbols, plus TLSF's own
    // option that only exists then), lowers lwIP's connection count, and changes an nginx.conf value and
    // the client's connection count.
    const bestConfig = { ...nginxDefault, ALLOCATOR: "tlsf", LIBTLSF_TLSF_LOG2_SLI: 6, LWIP_NUM_TCPCON: 16, KEEPALIVE_TIMEOUT: 300, NUM_PARALLEL_CONNS: 10 };
    writeUnikraftStudy(file, readFileSync(NGINX, "utf8"), NGINX, [
      [nginxDefault, 1000],
      [{ ...nginxDefault, LWIP_POOLS: "y" }, null],
      [bestConfig, 1500],
      [{ ...nginxDefault, ALLOCATOR: "region" }, 1200],
    ]);
    const r = best(file);
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, /^# {3}best: {4}evaluation #2: 1,?500, 1 repeat$/m);
    assert.match(out, /^# {3}default: evaluation #0: 1,?000, 1 repeat$/m);
    assert.match(out, /^# {3}gain over default: \+50\.0%/m);
    assert.match(out, /^# 5 parameter\(s\) differ from the default$/m);

    // Exactly the .config lines that differ, spelled as .config spells them ("is not set" for n); the
    // values every build sets (LIBVFSCORE_ROOTFS_INITRD, ...) and the unchanged options are not shown.
    assert.equal(section(out, "Kconfig fragment"), [
      "--- default (evaluation #0)",
      "+++ best (evaluation #2)",
      "@@ -3,1 +3,2 @@",
      "-# CONFIG_LIBTLSF is not set",
      "+CONFIG_LIBTLSF=y",
      "+CONFIG_LIBTLSF_TLSF_LOG2_SLI=6",
      "@@ -5,1 +6,1 @@",
      "-CONFIG_LIBUKALLOCBBUDDY=y",
      "+# CONFIG_LIBUKALLOCBBUDDY is not set",
      "@@ -8,1 +9,1 @@",
      "-CONFIG_LWIP_NUM_TCPCON=64",
      "+CONFIG_LWIP_NUM_TCPCON=16",
    ].join("\n"));
    assert.equal(section(out, "unikernel command line"),
      "(same as the default) netdev.ipv4_addr=10.0.2.15 netdev.ipv4_gw_addr=10.0.2.2 netdev.ipv4_subnet_mask=255.255.255.0 -- -c /nginx/conf/nginx.conf");
    assert.match(section(out, "application config initrd /nginx/conf/nginx.conf"), /^-  keepalive_timeout 60;\n\+  keepalive_timeout 300;$/m);
    assert.equal(section(out, "benchmark command"), [
      "-wrk -t1 -c30 -d10s --timeout 2s http://127.0.0.1:PORT/",
      "+wrk -t1 -c10 -d10s --timeout 2s http://127.0.0.1:PORT/",
    ].join("\n"));
    // a unikernel has no sysctls: no Linux section
    assert.doesNotMatch(out, /sysctl|^## kernel command line/m);

    const j = best(file, "--json");
    assert.equal(j.status, 0, j.stderr);
    const json = JSON.parse(j.stdout);
    assert.equal(json.best.seq, 2);
    assert.ok(Math.abs(json.gain - 0.5) < 1e-12);
    assert.match(json.kconfigDiff, /^\+CONFIG_LIBTLSF=y$/m);
    assert.deepEqual(json.benchmark, { default: "wrk -t1 -c30 -d10s --timeout 2s http://127.0.0.1:PORT/", best: "wrk -t1 -c10 -d10s --timeout 2s http://127.0.0.1:PORT/" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A redis unikernel whose boot arguments carry a parameter, a parameter bound to a Kconfig symbol of
// another name (build.options) and a string-valued option.
const REDIS_JOB = `name: uk-redis
objective: { metric: throughput-get, direction: max }
budget: { iterations: 3 }
parameters:
  - { name: MAXCLIENTS, phase: boot, type: choice, values: [100, 1000], default: 1000 }
  - { name: TCP_CONNS, phase: compile, type: choice, values: [16, 64], default: 64 }
  - { name: UKDEBUG_PRINTK_LEVEL, phase: compile, type: choice, values: [crit, info], default: info }
target:
  kind: unikraft
  checkout: { app: apps/redis, libs: [lwip] }
  build:
    options: { TCP_CONNS: LWIP_NUM_TCPCON }
  vm: { memoryMiB: 64 }
  net: { guestPort: 6379 }
  appArgs: ["/redis.conf", "--maxclients", "{{MAXCLIENTS}}"]
  ready: { kind: redis }
  benchmark: { tool: redis-benchmark, argv: ["-p", "{{PORT}}", "-t", "get", "-q", "--csv"] }
  timeouts: { bootS: 30, benchmarkS: 60 }
`;

test("best on a Unikraft study shows boot arguments that differ, under the Kconfig symbol names the driver uses", () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-ukbest-"));
  try {
    const file = join(dir, "s.sqlite");
    const def = { MAXCLIENTS: 1000, TCP_CONNS: 64, UKDEBUG_PRINTK_LEVEL: "info" };
    writeUnikraftStudy(file, REDIS_JOB, join(dir, "uk-redis.yaml"), [[def, 50_000], [{ MAXCLIENTS: 100, TCP_CONNS: 16, UKDEBUG_PRINTK_LEVEL: "crit" }, 55_000]], "throughput-get");
    const r = best(file);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(section(r.stdout, "Kconfig fragment"), [
      "--- default (evaluation #0)",
      "+++ best (evaluation #1)",
      "@@ -1,2 +1,2 @@",
      "-CONFIG_LWIP_NUM_TCPCON=64",
      '-CONFIG_UKDEBUG_PRINTK_LEVEL="info"',
      "+CONFIG_LWIP_NUM_TCPCON=16",
      '+CONFIG_UKDEBUG_PRINTK_LEVEL="crit"',
    ].join("\n"));
    assert.equal(section(r.stdout, "unikernel command line"), [
      "-netdev.ipv4_addr=10.0.2.15 netdev.ipv4_gw_addr=10.0.2.2 netdev.ipv4_subnet_mask=255.255.255.0 -- /redis.conf --maxclients 1000",
      "+netdev.ipv4_addr=10.0.2.15 netdev.ipv4_gw_addr=10.0.2.2 netdev.ipv4_subnet_mask=255.255.255.0 -- /redis.conf --maxclients 100",
    ].join("\n"));
    assert.match(r.stdout, /^# {3}gain over default: \+10\.0%/m);
    assert.equal(section(r.stdout, "benchmark command"), "(same as the default) redis-benchmark -p PORT -t get -q --csv");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const need = ["make", "gcc", "ld", "qemu-system-x86_64"];
const missing = need.filter((c) => spawnSync("sh", ["-c", `command -v ${c}`], { stdio: "ignore" }).status !== 0);
const kconfiglib = spawnSync("/usr/bin/python3", ["-c", "import kconfiglib"], { stdio: "ignore" }).status === 0;
const why = missing.length ? `missing ${missing.join(", ")} (see scripts/apt-packages.txt)` : !kconfiglib ? "python3-kconfiglib is not installed for /usr/bin/python3" : undefined;

// The miniature app (test/unikraft/mini-checkout.ts) prints "ops/s: <CONFIG_HZ>" and exits.
const MINI_JOB = `name: mini-unikraft-best
objective: { metric: ops, direction: max }
budget: { iterations: 2 }
search: { searcher: random, seed: 7 }
parameters:
  - { name: HZ, phase: compile, type: choice, values: [100, 1000], default: 100 }
  - { name: ALLOCATOR, phase: compile, type: choice, values: [bbuddy, tlsf], default: bbuddy }
  - { name: GREETING, phase: application, type: choice, values: [hi, hello], default: hi }
target:
  kind: unikraft
  checkout: { app: apps/mini, libs: [lwip] }
  build:
    jobs: 1
    timeoutS: 120
    choices:
      ALLOCATOR:
        bbuddy: { LIBUKALLOCBBUDDY: y, LIBTLSF: n }
        tlsf: { LIBUKALLOCBBUDDY: n, LIBTLSF: y }
  vm: { memoryMiB: 16, accel: tcg }
  rootfs: { files: [{ path: /etc/greeting, template: "greeting {{GREETING}}\\n" }] }
  ready: { kind: console, pattern: "Powered by" }
  benchmark: { tool: console, metrics: [{ name: ops, pattern: "ops/s: ([0-9]+)" }] }
  timeouts: { bootS: 30, benchmarkS: 30 }
`;

test("best on a study the real Unikraft driver ran (miniature checkout): the fragment's lines are in the built .config files", (t) => {
  if (why) return t.skip(why);
  const checkout = makeMiniCheckout();
  const dir = mkdtempSync(join(tmpdir(), "wf-ukbest-"));
  try {
    const job = join(dir, "mini.yaml");
    writeFileSync(job, MINI_JOB);
    const configs = join(dir, "configs.json");
    writeFileSync(configs, JSON.stringify([{ HZ: 1000, ALLOCATOR: "tlsf", GREETING: "hello" }]));
    const store = join(dir, "s.sqlite");
    const cache = join(dir, "cache");
    const run = wayfinder(["run", job, "--configs", configs, "--store", store, "--cache", cache], checkout, 180_000);
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);

    const r = best(store);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /gain over default: \+900(\.0+)?%/, "the image built with CONFIG_HZ=1000 measured 1000 against 100");
    const fragment = section(r.stdout, "Kconfig fragment");
    assert.equal(fragment, [
      "--- default (evaluation #0)",
      "+++ best (evaluation #1)",
      "@@ -1,3 +1,3 @@",
      "-CONFIG_HZ=100",
      "-# CONFIG_LIBTLSF is not set",
      "-CONFIG_LIBUKALLOCBBUDDY=y",
      "+CONFIG_HZ=1000",
      "+CONFIG_LIBTLSF=y",
      "+# CONFIG_LIBUKALLOCBBUDDY is not set",
    ].join("\n"));
    // Each side's lines are, verbatim, lines of the .config that build resolved (make olddefconfig kept them).
    const s = SqliteStudyStore.open(store);
    const evs = s.evaluations();
    s.close();
    const built = (seq: number) => readFileSync(join(cache, "unikraft-builds", String(evs[seq]!.provenance?.buildKey), "config"), "utf8").split("\n");
    for (const [sign, seq] of [["-", 0], ["+", 1]] as const) {
      const lines = built(seq);
      for (const l of fragment.split("\n").filter((x) => x.startsWith(sign) && !x.startsWith(`${sign}${sign}`)))
        assert.ok(lines.includes(l.slice(1)), `${l.slice(1)} is not in the .config built for evaluation #${seq}`);
    }
    assert.match(section(r.stdout, "application config initrd /etc/greeting"), /^-greeting hi\n\+greeting hello$/m);
  } finally {
    rmSync(checkout, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
