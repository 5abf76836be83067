// End to end with a real Unikraft checkout: build the example nginx unikernel (or the job named by
// WAYFINDER_UNIKRAFT_JOB), boot it in QEMU and benchmark it with wrk from the host. Unikraft cannot be
// installed on the project's machines, so this runs only when WAYFINDER_UNIKRAFT_DIR names a checkout.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadJob } from "../../harness/jobs/job";
import { evaluatorForJob } from "../../harness/run/evaluator-for-job";
import { UNIKRAFT_DIR_ENV } from "../../harness/unikraft/index";

test("a real Unikraft application is built, booted and benchmarked; the default configuration succeeds", { timeout: 3 * 3600_000 }, async (t) => {
  const dir = process.env[UNIKRAFT_DIR_ENV];
  if (!dir) {
    return t.skip(`${UNIKRAFT_DIR_ENV} is not set: point it at a Unikraft checkout (unikraft/, libs/{lwip,newlib,pthread-embedded,nginx}/, apps/nginx/) to run the Unikraft end-to-end test`);
  }
  const jobFile = process.env.WAYFINDER_UNIKRAFT_JOB ?? join(import.meta.dirname, "../../harness/examples/unikraft-nginx.yaml");
  const job = loadJob(jobFile);
  const cache = mkdtempSync(join(tmpdir(), "wf-unikraft-e2e-"));
  const notes: string[] = [];
  try {
    const e = evaluatorForJob(job, { cacheDir: cache, onNote: (n) => notes.push(n) });
    assert.equal(e.kind, "unikraft");
    const config = job.space.defaultConfig();
    const r = await e.evaluate({ config, seq: 0, repeat: 0, signal: new AbortController().signal });
    t.diagnostic(`outcome ${JSON.stringify(r.outcome)}; timings ${JSON.stringify(r.timings)}; notes ${notes.join(" | ")}`);
    assert.ok(r.outcome.ok, `default configuration failed: ${JSON.stringify(r.outcome)}\n${r.logExcerpt}`);
    assert.ok(r.outcome.ok && r.outcome.value > 0);
    assert.equal(r.provenance?.buildStatus, "built");
    // A second repeat reuses the image: no make.
    const again = await e.evaluate({ config, seq: 0, repeat: 1, signal: new AbortController().signal });
    assert.equal(again.provenance?.buildStatus, "cached");
    assert.ok(again.outcome.ok, JSON.stringify(again.outcome));
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});
