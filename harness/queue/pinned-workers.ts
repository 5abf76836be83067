/**
 * `wayfinder worker --slots K --pin`: K single-slot worker processes, each started under `taskset -c`
 * on its own CPU (planSlots), so each slot's QEMU inherits that CPU and parallel VMs do not migrate onto
 * each other's cores. Node cannot set a thread's affinity itself, and affinity is inherited by children,
 * which is why pinning is per process. The parent prints the isolation each slot got, forwards
 * Ctrl-C/SIGTERM and exits with the worst child status.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { isolationReport, planSlots, readCpuTopology, type SlotPlan } from "./cpu-topology";

export interface PinnedWorkersOptions {
  slots: number;
  /** Arguments for each child `wayfinder worker` (without --slots and --pin). */
  workerArgs: string[];
  log: (line: string) => void;
}

export async function runPinnedWorkers(o: PinnedWorkersOptions): Promise<{ plan: SlotPlan[]; code: number }> {
  const plan = planSlots(readCpuTopology(), o.slots);
  for (const line of isolationReport(plan)) o.log(line);
  const bin = join(import.meta.dirname, "../../bin/wayfinder.js");
  const procs = plan.map((s) => {
    const child = spawn("taskset", ["-c", String(s.cpu), process.execPath, bin, "worker", ...o.workerArgs, "--slots", "1"], { stdio: ["ignore", "pipe", "pipe"] });
    const relay = (stream: NodeJS.ReadableStream, write: (t: string) => void) => {
      let buf = "";
      stream.on("data", (d) => {
        buf += d;
        const lines = buf.split("\n");
        buf = lines.pop()!;
        for (const l of lines) write(`[slot ${s.slot} cpu ${s.cpu}] ${l}\n`);
      });
    };
    relay(child.stdout!, (t) => process.stdout.write(t));
    relay(child.stderr!, (t) => process.stderr.write(t));
    return child;
  });
  const exits = procs.map((child) => new Promise<number>((resolve) => child.on("exit", (code, signal) => resolve(signal ? 128 + 15 : code ?? 1))));
  const forward = (sig: NodeJS.Signals) => {
    o.log(`${sig}: stopping the ${plan.length} pinned slot processes`);
    for (const c of procs) c.kill(sig);
  };
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  try {
    const codes = await Promise.all(exits);
    return { plan, code: Math.max(...codes) };
  } finally {
    process.off("SIGINT", forward);
    process.off("SIGTERM", forward);
  }
}
