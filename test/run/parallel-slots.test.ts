// The slot processes of `wayfinder run --parallel` without booting VMs: they start under taskset, report
// the CPUs the kernel actually allows them, and are gone after close(); a CPU that cannot be used is a
// clear error, not a hang. (Evaluations in slots, with real VMs, are tested in parallel-vm.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ParallelSlots } from "../../harness/run/parallel-slots";
import { planSlots, readCpuTopology, type SlotPlan } from "../../harness/queue/cpu-topology";

const JOB = "test/run/fixtures/vm-sysctl-job.yaml";
const jobText = readFileSync(JOB, "utf8");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("slot processes start pinned to their planned CPU and exit on close", async (t) => {
  const cpus = readCpuTopology();
  if (cpus.length < 2) {
    t.skip(`this process may run on ${cpus.length} CPU only`);
    return;
  }
  const plan = planSlots(cpus, 2);
  const slots = await ParallelSlots.start({ plan, jobText, jobPath: JOB });
  const procs = slots.processes();
  assert.deepEqual(procs.map((p) => [p.slot, p.cpus]), plan.map((s) => [s.slot, String(s.cpu)]));
  for (const p of procs) {
    const status = readFileSync(`/proc/${p.pid}/status`, "utf8");
    assert.equal(/Cpus_allowed_list:\s*(\S+)/.exec(status)![1], String(plan[p.slot].cpu), "confirmed from outside too");
  }
  await slots.close();
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(procs.filter((p) => alive(p.pid)).map((p) => p.pid), [], "no slot process left after close");
});

test("a slot planned on a CPU that does not exist is a clear error", async () => {
  const bogus: SlotPlan = { slot: 0, cpu: 4095, core: "0:4095", node: 0, llc: "4095", sharesL2With: [], sharesCpuWith: [], sharesCoreWith: [], sharesLlcWith: [], sharesNodeWith: [] };
  await assert.rejects(ParallelSlots.start({ plan: [bogus], jobText, jobPath: JOB }), /--parallel 1: cannot start the pinned slot processes: slot 0 process (exited|could not start)/);
});
