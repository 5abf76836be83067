// Unikraft driver, run side: QEMU argv, command line, readiness exchanges, strict benchmark parsing, outcome classes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WayfinderError } from "../../lib/errors";
import {
  classifyUnikraftRun, consoleEvidence, parseBenchmarkOutput, parseRedisBenchmarkOutput, parseWrkOutput, probeExchange, redisTestMetricName,
  renderArgs, unikernelQemuArgv, unikraftCommandLine,
} from "../../harness/unikraft/index";

test("QEMU argv: multiboot kernel, initrd, -append, console on stdio, user-mode net forwarding a loopback port", () => {
  const { file, args } = unikernelQemuArgv({
    qemu: "/usr/bin/qemu-system-x86_64", accel: "tcg", memoryMiB: 32, cpus: 1, kernel: "/c/image", initrd: "/c/initrd.cpio",
    append: "netdev.ipv4_addr=10.0.2.15 -- -c /nginx/conf/nginx.conf", hostPort: 40123, guestPort: 80,
  });
  assert.equal(file, "/usr/bin/qemu-system-x86_64");
  const after = (flag: string) => args[args.indexOf(flag) + 1];
  assert.equal(after("-accel"), "tcg");
  assert.equal(after("-cpu"), "max");
  assert.equal(after("-m"), "32M");
  assert.equal(after("-kernel"), "/c/image");
  assert.equal(after("-initrd"), "/c/initrd.cpio");
  assert.equal(after("-append"), "netdev.ipv4_addr=10.0.2.15 -- -c /nginx/conf/nginx.conf", "one argv element: no shell splits it");
  assert.equal(after("-netdev"), "user,id=net0,hostfwd=tcp:127.0.0.1:40123-:80");
  assert.equal(after("-device"), "virtio-net-pci,netdev=net0");
  assert.ok(args.includes("-no-reboot"));
  const plain = unikernelQemuArgv({ qemu: "q", accel: "kvm", memoryMiB: 64, cpus: 2, kernel: "k", append: "" }).args;
  assert.ok(!plain.includes("-netdev") && !plain.includes("-initrd") && !plain.includes("-append"));
  assert.equal(plain[plain.indexOf("-cpu") + 1], "host");
  assert.throws(() => unikernelQemuArgv({ qemu: "q", accel: "tcg", memoryMiB: 8, cpus: 1, kernel: "k", append: "", hostPort: 1 }), /both hostPort and guestPort/);
});

test("command line: library parameters, then -- and the app's arguments with values substituted as plain tokens only", () => {
  const app = renderArgs(["--benchmarks={{B}}", "-p", "{{PORT}}"], { B: "fillseq,readrandom" }, { PORT: 6379 });
  assert.deepEqual(app, ["--benchmarks=fillseq,readrandom", "-p", "6379"]);
  assert.equal(unikraftCommandLine(["netdev.ipv4_addr=10.0.2.15"], app), "netdev.ipv4_addr=10.0.2.15 -- --benchmarks=fillseq,readrandom -p 6379");
  assert.equal(unikraftCommandLine(["a=1"], []), "a=1");
  assert.throws(() => renderArgs(["-c{{C}}"], { C: "30 --evil" }), (e: unknown) => e instanceof WayfinderError && /value "30 --evil" of C is not a plain token/.test(e.message));
  assert.throws(() => renderArgs(["{{MISSING}}"], {}), /\{\{MISSING\}\} has no value in this configuration/);
});

test("readiness exchanges: an HTTP status line or +PONG, nothing else", () => {
  const http = probeExchange({ kind: "http", path: "/index.html" });
  assert.equal(http.request, "GET /index.html HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  assert.ok(http.ok("HTTP/1.1 200 OK\r\n"));
  assert.ok(http.ok("HTTP/1.0 404 Not Found\r\n"), "the server answers: it is up, whatever the status");
  assert.ok(!http.ok("SSH-2.0-OpenSSH\r\n"));
  const redis = probeExchange({ kind: "redis" });
  assert.equal(redis.request, "PING\r\n");
  assert.ok(redis.ok("+PONG\r\n"));
  assert.ok(!redis.ok("-LOADING Redis is loading the dataset in memory\r\n"));
});

// Output of wrk 4.1.0 (Debian 12) against a local server.
const WRK = `Running 1s test @ http://127.0.0.1:18080/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.98ms    7.10ms  68.20ms   95.32%
    Req/Sec     3.34k     1.04k    4.32k    90.00%
  3346 requests in 1.01s, 414.98KB read
Requests/sec:   3306.59
Transfer/sec:    410.09KB
`;

test("wrk: throughput, requests, mean latency in ms; socket errors counted", () => {
  assert.deepEqual(parseWrkOutput(WRK), { throughput: 3306.59, requests: 3346, durationS: 1.01, latency_avg_ms: 2.98, socket_errors: 0 });
  const us = WRK.replace("2.98ms", "512.00us").replace("  3346 requests", "  Socket errors: connect 0, read 5, write 1, timeout 2\n  3346 requests");
  const r = parseWrkOutput(us);
  assert.equal(r.latency_avg_ms, 0.512);
  assert.equal(r.socket_errors, 8);
});

test("wrk: error pages, no request, a missing or repeated line are errors, never a throughput", () => {
  const err = (text: string, re: RegExp) => assert.throws(() => parseWrkOutput(text), (e: unknown) => e instanceof WayfinderError && re.test(e.message));
  err(WRK.replace("Requests/sec:", "  Non-2xx or 3xx responses: 3346\nRequests/sec:"), /3346 of 3346 responses were not 2xx\/3xx/);
  err(WRK.replace("3346 requests", "0 requests").replace("3306.59", "0.00"), /completed no request/);
  err(WRK.replace(/Requests\/sec.*\n/, ""), /expected one "Requests\/sec:" line, found 0/);
  err(WRK + "Requests/sec:   1.00\n", /found 2/);
  err("", /found 0.*empty output/s);
});

// Output of redis-benchmark 7.0.15 --csv (Debian 12).
const REDIS7 = `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"SET","13888.89","2.954","0.112","0.927","8.039","9.799","12.711"
"GET","13157.90","3.054","0.072","1.031","8.007","11.975","12.439"
"LPUSH","12195.12","3.382","0.248","3.343","7.375","8.311","8.567"
"LPOP","11764.71","3.372","0.304","3.343","7.679","9.855","10.671"
`;

test("redis-benchmark --csv: per-test throughput and latency named like the original jobs' results (redis 7 and redis 6 rows)", () => {
  const m = parseRedisBenchmarkOutput(REDIS7);
  assert.equal(m["throughput-get"], 13157.9);
  assert.equal(m["throughput-lpop"], 11764.71);
  assert.equal(m["latency-set"], 2.954);
  assert.equal(Object.keys(m).length, 8);
  assert.deepEqual(parseRedisBenchmarkOutput('"PING_INLINE","80000.00"\n"GET","90909.09"\n'), { "throughput-ping-inline": 80000, "throughput-get": 90909.09 });
  assert.equal(redisTestMetricName("LPUSH (needed to benchmark LRANGE)"), "lpush-needed-to-benchmark-lrange");
});

test("redis-benchmark: non-CSV output, a short row, a zero or non-numeric rate are errors", () => {
  const err = (text: string, re: RegExp) => assert.throws(() => parseRedisBenchmarkOutput(text), (e: unknown) => e instanceof WayfinderError && re.test(e.message));
  err("GET: 11764.71 requests per second, p50=2.535 msec\n", /line 1: .* is not a CSV row of quoted fields \(run it with --csv\)/);
  err(REDIS7.replace('"GET","13157.90","3.054",', '"GET","13157.90",'), /line 3: 7 fields, expected 8/);
  err(REDIS7.replace("13157.90", "0.00"), /test GET completed no request/);
  err(REDIS7.replace("13157.90", "n/a"), /"n\/a" is not a number of requests per second/);
  err("", /printed nothing/);
  err(REDIS7.split("\n")[0]!, /no test result/);
});

test("console metrics: the unikernel's own report, every metric required", () => {
  const specs = [{ name: "ops", pattern: "ops/s: ([0-9.]+)" }, { name: "ms", pattern: "took ([0-9]+) ms", combine: "sum" as const }];
  assert.deepEqual(parseBenchmarkOutput("console", "ops/s: 120.5\ntook 3 ms\ntook 4 ms\n", specs), { ops: 120.5, ms: 7 });
  assert.throws(() => parseBenchmarkOutput("console", "ops/s: 1\n", specs), /no match for metric\(s\) ms/);
});

test("outcome classes: config, build with first error lines, timeout, boot with the console's crash lines, runtime, benchmark, ok", () => {
  const ok = { status: "built" as const };
  const booted = { ready: true, console: "Powered by Unikraft\n" };
  const cls = (t: Parameters<typeof classifyUnikraftRun>[0]) => classifyUnikraftRun(t).outcome;
  assert.deepEqual(cls({ objective: "throughput", configProblems: ["LIBTINYALLOC: conflict"] }), { ok: false, phase: "config", evidence: "LIBTINYALLOC: conflict" });
  const dropped = cls({ objective: "t", build: { status: "config", dropped: [{ name: "LWIP_POOLS", requested: "y", reason: "its dependencies are unmet (depends on LIBLWIP)" }] } });
  assert.equal(dropped.ok === false && dropped.phase, "config");
  assert.match(dropped.ok === false ? dropped.evidence! : "", /LWIP_POOLS: requested y, got \(not set\) \(its dependencies are unmet/);
  assert.deepEqual(cls({ objective: "t", build: { status: "build", errorLines: ["main.c:3: error: x undeclared", "make: *** [all] Error 2"] } }),
    { ok: false, phase: "build", evidence: "main.c:3: error: x undeclared\nmake: *** [all] Error 2" });
  assert.equal((cls({ objective: "t", build: { status: "timeout" } }) as { phase: string }).phase, "timeout");
  const crash = cls({ objective: "t", build: ok, boot: { ready: false, exit: { code: 1, signal: null }, console: "booting\n[    0.1] CRIT: [libukalloc] out of memory\nbye\n" } });
  assert.deepEqual(crash, { ok: false, phase: "boot", evidence: "QEMU exited (status 1) before the application answered; console:\n[    0.1] CRIT: [libukalloc] out of memory" });
  const silent = cls({ objective: "t", build: ok, boot: { ready: false, timeoutS: 60, console: "" } });
  assert.deepEqual(silent, { ok: false, phase: "boot", evidence: "the application did not answer within 60 s of boot; the console is empty" });
  assert.equal((cls({ objective: "t", build: ok, boot: booted, bench: { timedOut: false, exitCode: 1, guestDied: true, guestConsole: "Page fault at 0x0" } }) as { phase: string }).phase, "runtime");
  assert.match((cls({ objective: "t", build: ok, boot: booted, bench: { timedOut: false, exitCode: 1, stderr: "unable to connect to 127.0.0.1:4000 Connection refused" } }) as { evidence: string }).evidence,
    /exited with status 1: unable to connect/);
  assert.deepEqual(cls({ objective: "t", build: ok, boot: booted, bench: { timedOut: true, timeoutS: 30 } }), { ok: false, phase: "benchmark", evidence: "the benchmark did not finish within 30 s" });
  assert.equal((cls({ objective: "t", build: ok, boot: booted, bench: { timedOut: false, exitCode: 0, parseError: "wrk completed no request" } }) as { evidence: string }).evidence, "wrk completed no request");
  assert.match((cls({ objective: "throughput-get", build: ok, boot: booted, bench: { timedOut: false, exitCode: 0, metrics: { "throughput-set": 1 } } }) as { evidence: string }).evidence, /reported no throughput-get; it reported throughput-set/);
  assert.deepEqual(classifyUnikraftRun({ objective: "throughput", build: { status: "cached" }, boot: booted, bench: { timedOut: false, exitCode: 0, metrics: { throughput: 5000.5, requests: 9 } } }),
    { outcome: { ok: true, value: 5000.5 }, metrics: { throughput: 5000.5, requests: 9 } });
  assert.equal(consoleEvidence("a\nb\nc", 2), "b\nc");
});
