/** Slot-to-CPU planning for parallel evaluations (pure, on made-up topologies) and this machine's sysfs. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isolationReport, parseCpuList, planSlots, readCpuTopology, type CpuInfo } from "../../harness/queue/cpu-topology";

// Two sockets (NUMA nodes 0 and 1, one LLC each), two cores per socket, two SMT threads per core.
const big: CpuInfo[] = [];
for (let cpu = 0; cpu < 8; cpu++) {
  const node = cpu < 4 ? 0 : 1;
  big.push({ cpu, core: `${node}:${Math.floor((cpu % 4) / 2)}`, node, llc: node === 0 ? "0-3" : "4-7" });
}

test("two slots go to different sockets (own NUMA node and cache)", () => {
  const plan = planSlots(big, 2);
  assert.deepEqual(plan.map((s) => [s.cpu, s.node]), [[0, 0], [4, 1]]);
  assert.deepEqual(isolationReport(plan), [
    "slot 0: CPU 0 (core 0:0, NUMA node 0, LLC 0-3); isolated from the other slots",
    "slot 1: CPU 4 (core 1:0, NUMA node 1, LLC 4-7); isolated from the other slots",
  ]);
});

test("four slots take one thread of each physical core before any SMT sibling", () => {
  const plan = planSlots(big, 4);
  assert.equal(new Set(plan.map((s) => s.core)).size, 4);
  assert.ok(plan.every((s) => s.sharesCoreWith.length === 0));
  assert.match(isolationReport(plan)[0], /shares last-level cache 0-3 with slot \d; NUMA node 0 \(memory bandwidth\) with slot \d/);
});

test("more slots than cores share SMT siblings, and the report says so; more than CPUs is an error", () => {
  const plan = planSlots(big, 5);
  assert.equal(plan.filter((s) => s.sharesCoreWith.length > 0).length, 2);
  assert.ok(isolationReport(plan).some((l) => /its physical core \(SMT\) with slot/.test(l)));
  assert.throws(() => planSlots(big, 9), /cannot pin 9 slots: this process may run on 8 CPU\(s\) \(0,1,2,3,4,5,6,7\); use --slots 8 or fewer/);
});

test("CPU lists parse as Linux writes them; bad ones are clear errors", () => {
  assert.deepEqual(parseCpuList("0-3,8,10-11\n"), [0, 1, 2, 3, 8, 10, 11]);
  assert.throws(() => parseCpuList("0-x"), /bad CPU list "0-x"/);
});

test("this machine's topology reads from sysfs", () => {
  const cpus = readCpuTopology();
  assert.ok(cpus.length >= 1);
  assert.equal(new Set(cpus.map((c) => c.cpu)).size, cpus.length);
  for (const c of cpus) assert.ok(parseCpuList(c.llc).includes(c.cpu), `CPU ${c.cpu} is in its own LLC list ${c.llc}`);
});
