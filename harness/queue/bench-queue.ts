/**
 * Benchmarks of the PostgreSQL work queue; writes the "queue" section of BENCHMARKS.md.
 *   node --import tsx harness/queue/bench-queue.ts [--tasks N] [--replay-budget N] [--no-write]
 * 1. Queue overhead per evaluation: claim + record round trips on a private PostgreSQL 15 cluster with
 *    its default durability (fsync and synchronous_commit on), median and p95 over N tasks.
 * 2. Coordinator suggestion throughput: runStudyOnQueue with a random searcher and 8 `wayfinder worker`
 *    processes (1 slot each, simulated 0 ms evaluations), evaluations per second.
 * 3. Parallel replay (simulated clock) of the redis pool at 1, 2, 4, 8 slots: wall-time speed-up and best
 *    value after 25/50/100 evaluations, random and Bayesian optimisation, several seeds.
 * 4. The same replay through the real queue with evaluation times scaled down 200x, 1 vs 8 slots: the
 *    speed-up the queue actually delivers next to the simulated one.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeBenchmarkSection } from "../../lib/bench/section";
import { loadDataset } from "../../lib/datasets";
import { Rng } from "../../lib/random";
import { createSearcher } from "../../lib/search/registry";
import { replayPool, type ReplayPool } from "../../lib/search/replay-pool";
import type { Config } from "../../lib/search/searcher";
import { drawTestTime } from "../../lib/search/test-time";
import { loadJob } from "../jobs/job";
import { openPool } from "./connection";
import { startLocalCluster, type LocalCluster } from "./local-cluster";
import { bestAfter, replayParallel, type ParallelReplayRun } from "./parallel-replay";
import { runStudyOnQueue } from "./run-on-queue";
import { StudyCoordinator } from "./study-coordinator";
import { WorkQueue } from "./work-queue";

const root = join(import.meta.dirname, "../..");
const REDIS = join(root, "../shared/datasets/wayfinder-ae/measurements/linux-redis_3_only_OS_single_core.xlsx");

function quantile(xs: number[], q: number): number {
  const s = xs.slice().sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo);
}

const f = (x: number, d = 2) => x.toFixed(d);

async function overhead(cluster: LocalCluster, n: number) {
  const coord = await StudyCoordinator.open({ url: cluster.url, study: "bench-overhead", spec: {} });
  const pool = openPool(cluster.url, { max: 2 });
  const queue = new WorkQueue(pool);
  try {
    await coord.enqueue(Array.from({ length: n }, (_, i) => ({ seq: i, config: { x: i }, evaluator: "simulated", request: {} })));
    const claim: number[] = [];
    const record: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const [task] = await queue.claim("bench", 1);
      const t1 = performance.now();
      await queue.record("bench", task, { outcome: { ok: true, value: i } });
      const t2 = performance.now();
      claim.push(t1 - t0);
      record.push(t2 - t1);
    }
    const both = claim.map((c, i) => c + record[i]);
    return { claim, record, both };
  } finally {
    await pool.end();
    await coord.close();
  }
}

function startWorkers(url: string, count: number, slots: number): ChildProcess[] {
  return Array.from({ length: count }, () =>
    spawn(process.execPath, [join(root, "bin/wayfinder.js"), "worker", "--store", url, "--slots", String(slots), "--quiet", "--heartbeat", "1"], { stdio: "ignore" }),
  );
}

async function waitForSlots(coord: StudyCoordinator, slots: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await coord.liveSlots()) >= slots) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`workers did not register ${slots} slots within 60 s`);
}

async function throughput(cluster: LocalCluster, budget: number) {
  const job = loadJob(join(root, "test/queue/fixtures/vm-job.yaml"));
  const workers = startWorkers(cluster.url, 8, 1);
  const coord = await StudyCoordinator.open({ url: cluster.url, study: "bench-throughput", spec: {} });
  try {
    await waitForSlots(coord, 8);
    const searcher = await createSearcher("random", { space: job.space, direction: "max", seed: 1 });
    const t0 = performance.now();
    const s = await runStudyOnQueue({
      coordinator: coord, searcher, budget: { iterations: budget }, direction: "max", pollMs: 200,
      task: () => ({ evaluator: "simulated", request: { durationMs: 0 } }),
    });
    const seconds = (performance.now() - t0) / 1000;
    return { evaluations: s.collected, seconds, perSecond: s.collected / seconds };
  } finally {
    await coord.close();
    for (const w of workers) w.kill("SIGTERM");
  }
}

async function queueReplay(cluster: LocalCluster, pool: ReplayPool, slots: number, budget: number, scale: number, seed: number) {
  const coord = await StudyCoordinator.open({ url: cluster.url, study: `bench-replay-${slots}-${seed}`, spec: {} });
  try {
    const searcher = await createSearcher("random", { space: pool.space, direction: pool.direction, seed, pool: pool.configs });
    const rows = new Map<string, number>();
    pool.configs.forEach((c, i) => rows.set(pool.space.key(c), i));
    const rng = new Rng(seed ^ 0x5eed);
    await waitForSlots(coord, 8); // worker start-up is not part of the study's wall time
    const t0 = performance.now();
    const s = await runStudyOnQueue({
      coordinator: coord, searcher, budget: { iterations: budget }, direction: pool.direction, parallel: slots, pollMs: 200,
      task: (config: Config) => {
        const v = pool.values[rows.get(pool.space.key(config))!];
        const durationMs = (drawTestTime(pool.testTime, rng) * 1000) / scale;
        return { evaluator: "simulated", request: v === null ? { durationMs, failPhase: "runtime" } : { durationMs, value: v } };
      },
    });
    return { seconds: (performance.now() - t0) / 1000, collected: s.collected };
  } finally {
    await coord.close();
  }
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      tasks: { type: "string", default: "1000" },
      "replay-budget": { type: "string", default: "100" },
      "no-write": { type: "boolean" },
    },
  });
  const command = `node --import tsx harness/queue/bench-queue.ts${process.argv.slice(2).length ? " " + process.argv.slice(2).join(" ") : ""}`;
  const n = Number(args.tasks);
  const budget = Number(args["replay-budget"]);
  const log = (s: string) => console.error(`${new Date().toISOString()} ${s}`);
  const lines: string[] = [];
  const host = `${cpus().length} x ${cpus()[0]?.model.trim()}, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} at start`;

  const cluster = await startLocalCluster();
  try {
    log("overhead");
    const o = await overhead(cluster, n);
    log("throughput");
    const t = await throughput(cluster, 400);
    log("loading the redis pool");
    const pool = replayPool(loadDataset(REDIS), "linux-redis_3_only_OS_single_core");
    log("queue replay");
    const scale = 200;
    const real: Record<number, number> = {};
    for (const k of [1, 8]) {
      const workers = startWorkers(cluster.url, 2, 4);
      try {
        const r = await queueReplay(cluster, pool, k, 48, scale, 1);
        real[k] = r.seconds;
      } finally {
        for (const w of workers) w.kill("SIGTERM");
      }
    }
    const simQ: Record<number, number> = {};
    for (const k of [1, 8]) simQ[k] = (await replayParallel(pool, { searcher: "random", budget: 48, slots: k, seed: 1 })).wallSeconds / scale;

    log("simulated parallel replays");
    const searchers: Array<[string, number[]]> = [["random", [1, 2, 3, 4, 5]], ["bayes", [1, 2]]];
    const replayRows: string[] = [];
    const checkpoints = [...new Set([10, 25, 50, budget].filter((m) => m <= budget))];
    for (const [name, seeds] of searchers) {
      const base: number[] = [];
      for (const k of [1, 2, 4, 8]) {
        const runs: ParallelReplayRun[] = [];
        for (const seed of seeds) {
          log(`${name} slots ${k} seed ${seed}`);
          runs.push(await replayParallel(pool, { searcher: name, budget, slots: k, seed }));
        }
        const wall = runs.reduce((a, r) => a + r.wallSeconds, 0) / runs.length;
        if (k === 1) base.push(wall);
        const at = (m: number) => {
          const bs = runs.map((r) => bestAfter(r.values, m, pool.direction) ?? NaN);
          return f((bs.reduce((a, b) => a + b, 0) / bs.length / pool.best) * 100, 1);
        };
        const ask = runs.reduce((a, r) => a + r.askMs, 0) / runs.length / 1000;
        replayRows.push(`| ${name} | ${k} | ${seeds.length} | ${f(wall / 3600)} | ${f(base[0] / wall)}x | ${f(ask, 1)} | ${checkpoints.map((m) => `${at(m)} %`).join(" | ")} |`);
      }
    }

    lines.push(
      "## Queue (PostgreSQL work queue, many hosts)",
      "",
      `Command: \`${command}\``,
      `Machine: ${host}; PostgreSQL 15 private cluster on loopback, default durability (fsync, synchronous_commit on).`,
      "",
      `### Queue overhead per evaluation (${n} tasks, one worker connection)`,
      "",
      "| step | median ms | p95 ms |",
      "|---|---|---|",
      `| claim (FOR UPDATE SKIP LOCKED) | ${f(quantile(o.claim, 0.5))} | ${f(quantile(o.claim, 0.95))} |`,
      `| record (result + done, one transaction) | ${f(quantile(o.record, 0.5))} | ${f(quantile(o.record, 0.95))} |`,
      `| claim + record | ${f(quantile(o.both, 0.5))} | ${f(quantile(o.both, 0.95))} |`,
      "",
      "### Coordinator suggestion throughput, 8 simulated workers",
      "",
      `8 \`wayfinder worker --slots 1\` processes, simulated evaluations of 0 ms, random searcher on the end-to-end job's space: ` +
        `${t.evaluations} evaluations in ${f(t.seconds)} s = **${f(t.perSecond, 1)} suggestions/s** (ask, enqueue, claim, record, collect, tell).`,
      "",
      `### Parallel replay of the redis pool (${pool.configs.length} rows), simulated clock, ${budget} evaluations`,
      "",
      `Evaluation time drawn from the redis test-time model (${pool.testTime.meanSeconds} s +- ${pool.testTime.stdSeconds} s); the searcher's ask time is measured and advances the clock. ` +
        "Policy of the coordinator: keep every slot busy, tell each result as it arrives and ask for the free slots. Best = mean over seeds of the best value after N evaluations, as % of the pool's best " +
        `(${pool.best}).`,
      "",
      `| searcher | slots | seeds | wall h | speed-up | ask s | ${checkpoints.map((m) => `best@${m}`).join(" | ")} |`,
      `|---|---|---|---|---|---|${checkpoints.map(() => "---|").join("")}`,
      ...replayRows,
      "",
      `### The same replay through the real queue (48 evaluations, times scaled down ${scale}x, random, 2 workers x 4 slots)`,
      "",
      "| slots | measured wall s | simulated wall s | measured speed-up | simulated speed-up |",
      "|---|---|---|---|---|",
      ...[1, 8].map((k) => `| ${k} | ${f(real[k])} | ${f(simQ[k])} | ${f(real[1] / real[k])}x | ${f(simQ[1] / simQ[k])}x |`),
      "",
      `The gap between measured and simulated speed-up at 8 slots is the queue's fixed cost per evaluation (claim, record, ` +
        `notification, coordinator round trip) relative to ${f((pool.testTime.meanSeconds * 1000) / scale, 0)} ms evaluations; ` +
        "with real 35-80 s evaluations it is negligible.",
    );
  } finally {
    cluster.dispose();
  }
  const body = lines.join("\n");
  console.log(body);
  if (!args["no-write"]) writeBenchmarkSection(join(root, "BENCHMARKS.md"), "queue", body);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
