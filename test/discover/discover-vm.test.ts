// Real discovery: Debian's cloud kernel under QEMU (TCG), /proc/sys/vm only, through the CLI. About
// 1-2 min on this 2-core machine: a listing boot, a probe boot, and one reboot per probe that kills
// the guest (vm.min_free_kbytes x1000 and vm.overcommit_memory=2 panic this 512 MiB guest).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadJob } from "../../harness/jobs/job";
import { runnableJob } from "../../harness/run/runnable-job";
import type { DiscoverySummary } from "../../harness/discover";

const haveQemu = spawnSync("qemu-system-x86_64", ["-version"]).status === 0;
const skip = haveQemu ? false : "qemu-system-x86_64 is not installed (Debian package qemu-system-x86)";

test("wayfinder discover --only /proc/sys/vm: types, probed ranges, crash bounds, a job file the runner accepts", { skip, timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "wf-discover-test-"));
  try {
    const out = join(dir, "space.yaml");
    const r = spawnSync(process.execPath, ["bin/wayfinder.js", "discover", "--only", "/proc/sys/vm", "--out", out, "--json"], { encoding: "utf8", timeout: 540_000 });
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    const s = JSON.parse(r.stdout) as DiscoverySummary;
    console.log(`discovery: ${JSON.stringify({ types: s.types, probes: s.probes, boots: s.boots, timings: s.timings, crashes: s.crashes })}`);
    // /proc/sys/vm of 6.1 has about 48 writable files; a handful are write-only triggers
    assert.ok(s.types.total >= 40 && s.types.total <= 60, `total ${s.types.total}`);
    assert.ok(s.types["write-only"] >= 2, "compact_memory and drop_caches are write-only");
    assert.equal(s.types.tuple, 1, "lowmem_reserve_ratio is the one tuple");
    assert.ok(s.types.integer >= 20 && s.types.boolean >= 2);
    assert.ok(s.probes.rejected > 0 && s.probes.accepted > 0);
    assert.equal(s.probes.total, s.probes.accepted + s.probes.rejected + s.probes.differs + s.probes.crashed);
    // a probe that kills the guest is recorded and discovery goes on in a new boot
    assert.ok(s.probes.crashed >= 1, `expected a crashing probe: ${JSON.stringify(s.crashes)}`);
    assert.ok(s.boots >= 2 + s.probes.crashed, `boots ${s.boots}`);
    assert.equal(s.notProbed, 0);

    const job = loadJob(out);
    const rj = runnableJob(job);
    assert.equal(rj.objective, "footprint_kib");
    const byName = Object.fromEntries(job.parameters.map((p) => [p.name, p]));
    // swappiness 60: 600 is rejected (max 200), 6 and 0 are accepted, -1 is rejected
    assert.deepEqual(byName["vm.swappiness"], { name: "vm.swappiness", phase: "runtime", type: "integer", min: 0, max: 60, default: 60 });
    assert.equal(byName["vm.drop_caches"], undefined);
    assert.equal(byName["vm.lowmem_reserve_ratio"], undefined);
    const text = readFileSync(out, "utf8");
    assert.match(text, /#   \/proc\/sys\/vm\/drop_caches: write-only/);
    for (const c of s.crashes) assert.match(text, new RegExp(`# crash bound: ${c.split("=")[0]!.replace(/\//g, "\\/")} `));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
