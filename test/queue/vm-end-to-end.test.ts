/**
 * End to end with REAL VMs: a coordinator (runOnPostgres, what `wayfinder run --store postgres://` runs)
 * and two `wayfinder worker` processes boot the Debian cloud kernel under QEMU for each configuration.
 * The job's benchmark reads net.core.somaxconn back inside the guest, so each recorded value must equal
 * the configuration the coordinator enqueued: proof that the worker's VM received it.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { loadJob } from "../../harness/jobs/job";
import { startLocalCluster, type LocalCluster } from "../../harness/queue/local-cluster";
import { runOnPostgres } from "../../harness/queue/run-on-postgres";
import { jobRecord, runnableJob } from "../../harness/run/runnable-job";
import { exitOf, killAll, startWorker } from "./processes";

let cluster: LocalCluster;

before(async () => {
  cluster = await startLocalCluster();
});

after(() => {
  killAll();
  cluster?.dispose();
});

test("real VMs: two worker processes evaluate a study enqueued by the coordinator; each guest got its configuration", async () => {
  const file = "test/queue/fixtures/vm-job.yaml";
  const job = loadJob(file);
  const rj = runnableJob(job);
  const workers = [startWorker(cluster.url, 1, "--idle-exit", "5"), startWorker(cluster.url, 1, "--idle-exit", "5")];
  let printed = "";
  const out = new Writable({ write: (chunk, _enc, cb) => { printed += chunk; cb(); } });
  const summary = await runOnPostgres({
    url: cluster.url,
    spec: {
      name: job.name, jobText: job.source.text, jobPath: file, job: jobRecord(job), searcher: "random", seed: 5, repeats: 1,
      budget: { iterations: 2 }, objective: rj.objective, direction: rj.direction, defaultConfig: job.space.defaultConfig(),
    },
    parallel: 2,
    out,
  });
  assert.equal(summary.reason, "budget", printed);
  assert.equal(summary.study, "queue-e2e-random-s5");
  assert.equal(summary.tasks.length, 2);
  assert.equal(summary.tasks[0].config["net.core.somaxconn"], 4096, "evaluation 0 is the default configuration");
  for (const t of summary.tasks) {
    assert.equal(t.state, "done");
    assert.deepEqual(t.result?.outcome, { ok: true, value: t.config["net.core.somaxconn"] }, `seq ${t.seq}: ${JSON.stringify(t.result)}`);
    const detail = t.result!.detail as { provenance: { qemu: string; kernel: string }; paramStatus: Record<string, { status: string }> };
    assert.match(detail.provenance.qemu, /QEMU emulator/);
    assert.match(detail.provenance.kernel, /linux-image/);
    assert.equal(detail.paramStatus["net.core.somaxconn"].status, "applied");
  }
  assert.match(printed, /study queue-e2e-random-s5 in postgres:\/\//);
  for (const w of workers) assert.equal(await exitOf(w, "worker", 60_000), 0, w.output());
});
