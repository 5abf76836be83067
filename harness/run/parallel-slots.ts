/**
 * The K evaluation slots of `wayfinder run --parallel K` on one host: one child process per slot
 * (harness/run/parallel-slot-process.ts), each started under `taskset -c <cpu>` on the CPU planSlots
 * chose for it, so its QEMU runs there and parallel VMs do not migrate onto each other's cores. The
 * study itself (store, searcher, budget) stays in the parent: a slot only runs one repeat of one
 * configuration at a time and sends back the report.
 *
 * Lifetimes: children are started with `setpriv --pdeathsig KILL` (killed by the kernel if the parent
 * dies, even from SIGKILL) and in their own process group (a terminal's Ctrl-C reaches only the parent,
 * which aborts the evaluations in order). A child that dies mid-evaluation fails that evaluation as a
 * harness error and is started again for the next one.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { WayfinderError } from "../../lib/errors";
import { parseCpuList, type SlotPlan } from "../queue/cpu-topology";
import type { EvaluationReport, EvaluationRequest } from "./evaluator";
import type { SlotReply, SlotRequest } from "./parallel-slot-process";

export interface ParallelSlotsOptions {
  plan: readonly SlotPlan[];
  jobText: string;
  jobPath: string;
  deterministic?: boolean;
  cacheDir?: string;
  /** Pin each slot with taskset (default true; false only to compare against unpinned runs). */
  pin?: boolean;
  onNote?: (slot: number, note: string) => void;
}

/** What a slot's process reported about itself once started. */
export interface SlotProcessInfo {
  slot: number;
  pid: number;
  /** The CPU list the kernel allows the slot process (and its QEMU): the pinning as it took effect. */
  cpus: string;
  pinned: boolean;
}

interface Live {
  child: ChildProcess;
  info?: SlotProcessInfo;
  ready: Promise<SlotProcessInfo>;
  calls: Map<number, { resolve: (r: EvaluationReport) => void; reject: (e: Error) => void }>;
  exited: Promise<void>;
}

let setprivAvailable: boolean | undefined;
function hasSetpriv(): boolean {
  setprivAvailable ??= spawnSync("setpriv", ["--help"], { stdio: "ignore" }).status === 0;
  return setprivAvailable;
}

export class ParallelSlots {
  private readonly live = new Map<number, Live>();
  private nextId = 1;
  private closing = false;

  private constructor(private readonly o: ParallelSlotsOptions) {}

  /** Starts one process per slot and waits until each has loaded the job and reported its CPUs. */
  static async start(o: ParallelSlotsOptions): Promise<ParallelSlots> {
    const slots = new ParallelSlots(o);
    try {
      await Promise.all(o.plan.map((s) => slots.ensure(s.slot)));
    } catch (err) {
      await slots.close();
      // A missing taskset or a cpuset narrower than planned is the user's machine, not a bug: say so plainly.
      throw new WayfinderError(`--parallel ${o.plan.length}: cannot start the pinned slot processes: ${(err as Error).message}`);
    }
    return slots;
  }

  /** The slots' processes as they reported themselves (pid and the CPUs they are allowed). */
  processes(): SlotProcessInfo[] {
    return [...this.live.values()].flatMap((l) => (l.info ? [l.info] : [])).sort((a, b) => a.slot - b.slot);
  }

  private spawnChild(slot: number): Live {
    const plan = this.o.plan[slot];
    const pin = this.o.pin !== false;
    const entry = join(import.meta.dirname, "parallel-slot-process.ts");
    const node = [process.execPath, "--import", import.meta.resolve("tsx"), entry];
    const pinned = pin ? ["taskset", "-c", String(plan.cpu), ...node] : node;
    const argv = hasSetpriv() ? ["setpriv", "--pdeathsig", "KILL", ...pinned] : pinned;
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "inherit", "inherit", "ipc"], detached: true });
    const calls: Live["calls"] = new Map();
    let readyResolve!: (i: SlotProcessInfo) => void;
    let readyReject!: (e: Error) => void;
    const ready = new Promise<SlotProcessInfo>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    ready.catch(() => {}); // observed by ensure(); never an unhandled rejection
    const l: Live = { child, ready, calls, exited: new Promise((r) => child.once("exit", () => r())) };
    child.on("message", (m: SlotReply) => {
      if (m.kind === "ready") {
        l.info = { slot, pid: m.pid, cpus: m.cpus, pinned: pin };
        readyResolve(l.info);
      } else if (m.kind === "note") this.o.onNote?.(slot, m.text);
      else if (m.kind === "done") {
        calls.get(m.id)?.resolve(m.report);
        calls.delete(m.id);
      } else if (m.kind === "failed") {
        calls.get(m.id)?.reject(new Error(`slot ${slot}: ${m.message}`));
        calls.delete(m.id);
      }
    });
    const gone = (why: string) => {
      if (this.live.get(slot) === l) this.live.delete(slot);
      readyReject(new Error(`slot ${slot} process ${why} before it was ready (${argv.join(" ")})`));
      for (const c of calls.values()) c.reject(new Error(`slot ${slot} process ${why} mid-evaluation`));
      calls.clear();
    };
    child.on("error", (err) => gone(`could not start or lost its channel: ${err.message}`));
    child.once("exit", (code, sig) => gone(`exited (${sig ?? `code ${code}`})`));
    const init: SlotRequest = {
      kind: "init",
      jobText: this.o.jobText,
      jobPath: this.o.jobPath,
      ...(this.o.deterministic !== undefined ? { deterministic: this.o.deterministic } : {}),
      ...(this.o.cacheDir ? { cacheDir: this.o.cacheDir } : {}),
    };
    child.send(init);
    return l;
  }

  private async ensure(slot: number): Promise<Live> {
    if (this.closing) throw new Error("slots are closing");
    let l = this.live.get(slot);
    if (!l) {
      l = this.spawnChild(slot);
      this.live.set(slot, l);
    }
    const info = await l.ready;
    if (info.pinned) {
      // Pinning is checked, not assumed: a restricted cpuset or a missing taskset shows up here.
      const want = this.o.plan[slot].cpu;
      const got = parseCpuList(info.cpus);
      if (got.length !== 1 || got[0] !== want) throw new Error(`slot ${slot} was to be pinned to CPU ${want} but runs on CPUs ${info.cpus}`);
    }
    return l;
  }

  /**
   * One repeat of one configuration in `slot`. The report's provenance gains `slot`: where it ran and
   * what it shared, so every recorded evaluation says under which isolation it was measured.
   */
  async evaluate(slot: number, req: EvaluationRequest): Promise<EvaluationReport> {
    const l = await this.ensure(slot);
    const id = this.nextId++;
    const report = await new Promise<EvaluationReport>((resolve, reject) => {
      const onAbort = () => {
        if (l.child.connected) l.child.send({ kind: "abort", id } satisfies SlotRequest);
      };
      if (req.signal.aborted) onAbort();
      else req.signal.addEventListener("abort", onAbort, { once: true });
      const done = () => req.signal.removeEventListener("abort", onAbort);
      l.calls.set(id, { resolve: (r) => (done(), resolve(r)), reject: (e) => (done(), reject(e)) });
      l.child.send({ kind: "evaluate", id, config: req.config, seq: req.seq, repeat: req.repeat } satisfies SlotRequest);
    });
    const p = this.o.plan[slot];
    return {
      ...report,
      provenance: {
        ...report.provenance,
        slot: {
          slot, parallel: this.o.plan.length, cpu: p.cpu, core: p.core, numaNode: p.node, ...(p.l2 !== undefined ? { l2: p.l2 } : {}), llc: p.llc, allowedCpus: l.info!.cpus, pinned: l.info!.pinned,
          sharesCpuWith: p.sharesCpuWith, sharesCoreWith: p.sharesCoreWith, sharesL2With: p.sharesL2With, sharesLlcWith: p.sharesLlcWith, sharesNodeWith: p.sharesNodeWith,
        },
      },
    };
  }

  /** Stops every slot process (their QEMU die with them) and waits until they are gone. */
  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.live.values()];
    for (const l of all) {
      if (l.child.connected) l.child.disconnect(); // the child exits on disconnect
    }
    const timer = setTimeout(() => {
      for (const l of all) if (l.child.exitCode === null && l.child.signalCode === null) l.child.kill("SIGKILL");
    }, 10_000);
    await Promise.all(all.map((l) => l.exited));
    clearTimeout(timer);
  }
}
