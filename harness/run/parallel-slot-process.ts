/**
 * The process behind one slot of `wayfinder run --parallel K`: started by PinnedSlots under
 * `taskset -c <cpu>`, so it and every QEMU it starts run on that slot's CPU (affinity is inherited, and
 * Node cannot set it per thread). It holds no study state: the parent sends one repeat of one
 * configuration at a time over the IPC channel and records what comes back. When the channel closes
 * (the parent exited or was killed) it exits at once, and its exit hook kills any QEMU still running.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { Config } from "../../lib/search/searcher";
import type { EvaluationReport, Evaluator } from "./evaluator";
import { guestConfig, runnableJobFromText } from "./runnable-job";
import { vmEvaluator } from "./vm-evaluator";

export type SlotRequest =
  | { kind: "init"; jobText: string; jobPath: string; deterministic?: boolean; cacheDir?: string }
  | { kind: "evaluate"; id: number; config: Config; seq: number; repeat: number }
  | { kind: "abort"; id: number };

export type SlotReply =
  | { kind: "ready"; pid: number; cpus: string }
  | { kind: "note"; text: string }
  | { kind: "done"; id: number; report: EvaluationReport }
  | { kind: "failed"; id: number; message: string };

/** The CPUs this process may run on, as the kernel reports them (what taskset actually achieved). */
export function allowedCpus(): string {
  return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? "unknown";
}

export function serveSlot(): void {
  const send = (m: SlotReply) => process.send?.(m);
  let evaluate: Evaluator | undefined;
  let guest: ((c: Config) => Config) | undefined;
  const inFlight = new Map<number, AbortController>();
  process.on("disconnect", () => process.exit(0));
  process.on("message", (m: SlotRequest) => {
    if (m.kind === "init") {
      const rj = runnableJobFromText(m.jobText, m.jobPath);
      guest = (c) => guestConfig(rj, c);
      evaluate = vmEvaluator({
        target: rj.target,
        params: rj.params,
        ...(m.deterministic !== undefined ? { deterministic: m.deterministic } : {}),
        ...(m.cacheDir ? { cacheDir: m.cacheDir } : {}),
        onNote: (text) => send({ kind: "note", text }),
      });
      send({ kind: "ready", pid: process.pid, cpus: allowedCpus() });
    } else if (m.kind === "evaluate") {
      const ac = new AbortController();
      inFlight.set(m.id, ac);
      const run = evaluate && guest
        ? evaluate({ config: guest(m.config), seq: m.seq, repeat: m.repeat, signal: ac.signal })
        : Promise.reject(new Error("slot process asked to evaluate before init"));
      run.then(
        (report) => send({ kind: "done", id: m.id, report }),
        (err) => send({ kind: "failed", id: m.id, message: (err as Error)?.stack ?? String(err) }),
      ).finally(() => inFlight.delete(m.id));
    } else if (m.kind === "abort") {
      inFlight.get(m.id)?.abort();
    }
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.send) serveSlot();
