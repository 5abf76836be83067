/**
 * End to end with REAL VMs, through the command line: `wayfinder run <job> --store postgres://...` (the
 * coordinator) and two `wayfinder worker` processes boot the Debian cloud kernel under QEMU for each
 * configuration. The job's benchmark reads net.core.somaxconn back inside the guest, so each recorded
 * value must equal the configuration the coordinator enqueued: proof that the worker's VM received it.
 * Then `wayfinder best` and `wayfinder export` read the study back from PostgreSQL.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalCluster, type LocalCluster } from "../../harness/queue/local-cluster";
import { PostgresStudySnapshot } from "../../harness/queue/postgres-study-snapshot";
import { exitOf, killAll, startWorker } from "./processes";

let cluster: LocalCluster;
const tmp = mkdtempSync(join(tmpdir(), "wf-queue-e2e-"));

before(async () => {
  cluster = await startLocalCluster();
});

after(() => {
  killAll();
  cluster?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ["bin/wayfinder.js", ...args], { encoding: "utf8", timeout: 600_000 });

test("real VMs: wayfinder run --store postgres:// with two worker processes; each guest got its configuration; best and export read the study", async () => {
  const workers = [startWorker(cluster.url, 1, "--idle-exit", "5"), startWorker(cluster.url, 1, "--idle-exit", "5")];
  const run = cli("run", "test/queue/fixtures/vm-job.yaml", "--store", cluster.url, "--searcher", "random", "--seed", "5", "--budget", "2", "--parallel", "2");
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /study queue-e2e-random-s5 in postgres:\/\//);
  for (const w of workers) assert.equal(await exitOf(w, "worker", 60_000), 0, w.output());

  const study = await PostgresStudySnapshot.load(cluster.url, "queue-e2e-random-s5");
  const evals = study.evaluations();
  assert.equal(evals.length, 2);
  assert.equal(evals[0].config["net.core.somaxconn"], 4096, "evaluation 0 is the default configuration");
  for (const e of evals) {
    assert.equal(e.state, "done");
    assert.deepEqual(e.outcome, { ok: true, value: e.config["net.core.somaxconn"] }, `seq ${e.seq}: ${JSON.stringify(e)}`);
    assert.match(String(e.provenance?.qemu), /QEMU emulator/);
    assert.match(String(e.provenance?.kernel), /linux-image/);
  }

  const best = cli("best", cluster.url, "--study", "queue-e2e-random-s5", "--json");
  assert.equal(best.status, 0, best.stderr);
  const bestValue = Math.max(...evals.map((e) => (e.outcome?.ok ? e.outcome.value : -Infinity)));
  assert.equal(JSON.parse(best.stdout).best.value, bestValue);

  const out = join(tmp, "study.csv");
  const exp = cli("export", cluster.url, "--study", "queue-e2e-random-s5", "--out", out);
  assert.equal(exp.status, 0, exp.stderr);
  assert.equal(readFileSync(out, "utf8").trim().split("\n").length, 3, "a header and one row per evaluation");
});
