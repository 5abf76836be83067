// The host side of a Unikraft benchmark with the real tools: wrk against a real HTTP server, redis-benchmark
// against a real redis-server, and the readiness probe against a listener that accepts and closes (what
// QEMU's user-mode port forward does while nothing listens in the guest). Each server runs on a free port.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { test } from "node:test";
import { freePort, parseBenchmarkOutput, probeOnce, renderArgs, runBenchmarkTool } from "../../harness/unikraft/index";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status === 0;

test("wrk through runBenchmarkTool: real output, parsed strictly; the HTTP probe sees the server", async (t) => {
  if (!has("wrk")) return t.skip("wrk is not installed (apt-get install wrk; listed in scripts/apt-packages.txt)");
  let served = 0;
  const server = createHttpServer((_req, res) => {
    served++;
    res.end("payload\n");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  try {
    assert.equal(await probeOnce({ kind: "http", path: "/" }, port), true);
    const args = renderArgs(["-t1", "-c{{CONNS}}", "-d1s", "http://127.0.0.1:{{PORT}}/"], { CONNS: 2 }, { PORT: port });
    const run = await runBenchmarkTool("wrk", args, { timeoutS: 20 });
    assert.equal(run.exitCode, 0, run.stderr);
    const m = parseBenchmarkOutput("wrk", run.stdout);
    assert.ok(m.throughput! > 0 && m.requests! > 0, JSON.stringify(m));
    // The server counted (nearly) what wrk reports: wrk counts completed responses.
    assert.ok(Math.abs(served - m.requests!) <= 4, `server ${served}, wrk ${m.requests}`);
  } finally {
    server.close();
  }
});

test("wrk against a server answering 500: the run 'succeeds' but the parser refuses it", async (t) => {
  if (!has("wrk")) return t.skip("wrk is not installed (apt-get install wrk)");
  const server = createHttpServer((_req, res) => {
    res.statusCode = 500;
    res.end("no");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  try {
    const run = await runBenchmarkTool("wrk", ["-t1", "-c1", "-d1s", `http://127.0.0.1:${port}/`], { timeoutS: 20 });
    assert.equal(run.exitCode, 0);
    assert.throws(() => parseBenchmarkOutput("wrk", run.stdout), /responses were not 2xx\/3xx/);
  } finally {
    server.close();
  }
});

test("a listener that accepts and closes is not ready; nothing listening is not ready; a timeout stops a slow one", async () => {
  const closer = createServer((s) => s.destroy());
  await new Promise<void>((r) => closer.listen(0, "127.0.0.1", r));
  const silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  try {
    assert.equal(await probeOnce({ kind: "http", path: "/" }, (closer.address() as { port: number }).port), false);
    assert.equal(await probeOnce({ kind: "redis" }, (closer.address() as { port: number }).port), false);
    assert.equal(await probeOnce({ kind: "http", path: "/" }, await freePort()), false);
    const t0 = Date.now();
    assert.equal(await probeOnce({ kind: "redis" }, (silent.address() as { port: number }).port, 300), false);
    assert.ok(Date.now() - t0 < 2000);
  } finally {
    closer.close();
    silent.close();
  }
});

test("redis-benchmark --csv against a real redis-server: per-test metrics; the redis probe gets +PONG", async (t) => {
  if (!has("redis-benchmark") || !has("redis-server")) return t.skip("redis-benchmark/redis-server are not installed (apt-get install redis-tools redis-server)");
  const port = await freePort();
  const server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  try {
    let up = false;
    for (let i = 0; i < 40 && !up; i++) {
      up = await probeOnce({ kind: "redis" }, port, 500);
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(up, "redis-server answered PING");
    const run = await runBenchmarkTool("redis-benchmark", ["-h", "127.0.0.1", "-p", String(port), "-t", "get,set", "-n", "2000", "-c", "4", "--csv"], { timeoutS: 30 });
    assert.equal(run.exitCode, 0, run.stderr);
    const m = parseBenchmarkOutput("redis-benchmark", run.stdout);
    assert.deepEqual(Object.keys(m).sort(), ["latency-get", "latency-set", "throughput-get", "throughput-set"]);
    assert.ok(m["throughput-get"]! > 0);
  } finally {
    server.kill("SIGKILL");
  }
});

test("a benchmark tool that hangs is stopped at its timeout", async () => {
  const run = await runBenchmarkTool("sleep", ["30"], { timeoutS: 1 });
  assert.equal(run.timedOut, true);
  assert.ok(run.seconds < 10);
  const missing = await runBenchmarkTool("/nonexistent/wrk", [], { timeoutS: 1 });
  assert.ok(missing.spawnError && /ENOENT|nonexistent/.test(missing.spawnError), JSON.stringify(missing));
});
