/**
 * Runtime space discovery (§3.4 of the paper): boot the guest, list what root may write under
 * /proc/sys (and the /sys subtrees asked for), read each default, infer a type, then probe the range
 * of every integer-like parameter inside the guest by scaling its default up and down by 10.
 *
 * Boots are few: one to list and read, then one per batch of probes; all probes go into one batch and
 * the guest walks them with shell builtins. A probe that kills the guest (panic, hang, reset) ends
 * that boot only: it is recorded as a crash bound, the rest of its sequence is dropped, and the next
 * boot carries on with the probes not yet made. The guest restores each default after each probe;
 * a few defaults cannot be written back (the kernel's own default is outside what a write may set):
 * those are reported in the notes, since later probes of that boot ran with the value changed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WayfinderError, quote } from "../../lib/errors";
import { defaultCacheDir } from "../vm/cache-dir";
import { appendInitrd, writeCpio, type CpioEntry } from "../vm/cpio";
import { buildImage, type BuiltImage } from "../vm/image-builder";
import { probeAccel } from "../vm/kvm-probe";
import { findQemu } from "../vm/preflight";
import { qemuArgv } from "../vm/qemu-argv";
import { runQemu, type QemuRunResult } from "../vm/qemu-process";
import { bootCommandLine } from "../vm/boot-args";
import type { TargetSpec } from "../vm/target";
import { decodeDump, parseDiscoveryMarkers, type DiscoveryMarkers } from "./discovery-markers";
import { inferRuntimeType, type RuntimeType } from "./infer-runtime-type";
import { probeSequences } from "./probe-plan";

export interface DiscoveryOptions {
  /** A kernel image (bzImage) of your own; default the Debian cloud kernel (kernelPackage). */
  kernel?: string;
  /** Debian kernel package; default linux-image-cloud-amd64. */
  kernelPackage?: string;
  /** Kernel modules the agent loads first (default: pvpanic for a Debian kernel, none for your own). */
  modules?: string[];
  /** Directories listed: /proc/sys or subtrees of it, and /sys subtrees. Default ["/proc/sys"]. */
  roots?: string[];
  /** Probe integer ranges (default true); false only lists and reads. */
  probe?: boolean;
  /** Steps per direction (default 20, enough to reach 2^64 from 1). */
  maxSteps?: number;
  memoryMiB?: number;
  accel?: "auto" | "kvm" | "tcg";
  qemu?: string;
  cacheDir?: string;
  /** Seconds without any marker during probing after which the guest counts as hung (default 30). */
  probeIdleS?: number;
  bootTimeoutS?: number;
  /** Bound on boots (default 60): probes left after that are reported as not probed. */
  maxBoots?: number;
  signal?: AbortSignal;
  onNote?: (note: string) => void;
}

export type ProbeOutcome = "accepted" | "rejected" | "differs" | "crashed";
export type CrashKind = "panic" | "hang" | "reset";

export interface ProbeRecord {
  path: string;
  direction: "up" | "down";
  value: string;
  outcome: ProbeOutcome;
  errno?: string;
  readback?: string;
  crash?: CrashKind;
  /** How a crash was pinned on this probe: its start marker arrived, or it was the next in order. */
  attributedBy?: "marker" | "order";
  boot: number;
}

export interface DiscoveredParameter {
  path: string;
  /** What the default's text looked like. */
  inferred: RuntimeType;
  /** After probing: boolean turned integer when 2 was accepted; integer/boolean with no other value accepted is fixed. */
  kind: "boolean" | "integer" | "tuple" | "choice" | "string" | "write-only" | "fixed-integer";
  /** Integer kinds: the lowest and highest values accepted (the default included). */
  min?: bigint;
  max?: bigint;
  /** A value whose probe killed the guest, per direction. */
  crashUp?: bigint;
  crashDown?: bigint;
  probes: number;
}

export interface DiscoveryResult {
  kernel: string;
  accel: "kvm" | "tcg";
  roots: string[];
  parameters: DiscoveredParameter[];
  probes: ProbeRecord[];
  boots: number;
  crashes: number;
  /** Probes planned but never made (boot budget exhausted). */
  notProbed: number;
  timings: { listS: number; probeS: number; totalS: number };
  /** Files whose default the kernel refused to have written back after a probe. */
  unrestorable: string[];
  notes: string[];
}

const ROOT = /^\/(proc\/sys|sys)(\/[A-Za-z0-9_.:+@-]+)*$/;

/** Check the roots the user asked for: directories under /proc/sys or /sys, no "..". */
export function checkRoots(roots: string[]): string[] {
  return roots.map((r) => {
    const root = r.replace(/\/+$/, "");
    if (!ROOT.test(root) || root.split("/").includes("..")) {
      throw new WayfinderError(`discovery root ${quote(r)} is not valid: give /proc/sys, a directory under it such as /proc/sys/vm, or a /sys subtree such as /sys/kernel/mm`);
    }
    if (root === "/sys") throw new WayfinderError(`discovery root "/sys" is too broad (device attributes and triggers such as /sys/power/state); name subtrees such as /sys/kernel/mm`);
    return root;
  });
}

interface PlannedProbe {
  index: number;
  seq: number;
  param: number;
  direction: "up" | "down";
  value: bigint;
}

function seconds(ms: number): number {
  return Math.round(ms / 10) / 100;
}

export async function discoverRuntime(opts: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const t0 = performance.now();
  const notes: string[] = [];
  const note = (s: string) => {
    notes.push(s);
    opts.onNote?.(s);
  };
  const roots = checkRoots(opts.roots ?? ["/proc/sys"]);
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const qemu = findQemu(opts.qemu);
  const target = {
    kernel: opts.kernel ? { path: opts.kernel, modules: opts.modules } : { package: opts.kernelPackage, modules: opts.modules },
    image: { packages: [], binaries: [] },
    // only what buildImage reads: the kernel, the image and the guest's arch (discovery boots x86 guests)
    vm: { arch: "x86" },
  } as unknown as TargetSpec;
  const image: BuiltImage = buildImage(target, { cacheDir, onNote: note });
  let accel: "kvm" | "tcg" = "tcg";
  if (opts.accel === "kvm" || (opts.accel ?? "auto") === "auto") {
    const p = await probeAccel({ qemu, kernel: image.kernel, cacheDir });
    if (p.usable) accel = "kvm";
    else note(`KVM unusable (${p.reason}): using TCG`);
  }
  const baseInitrd = readFileSync(image.initrd);
  const memoryMiB = opts.memoryMiB ?? 512;
  let boots = 0;

  const boot = async (entries: CpioEntry[], idleS: number | undefined): Promise<{ m: DiscoveryMarkers; run: QemuRunResult; hung: boolean }> => {
    const work = mkdtempSync(join(tmpdir(), "wf-discover-"));
    boots++;
    try {
      const initrd = join(work, "initrd.img");
      writeFileSync(initrd, appendInitrd(baseInitrd, writeCpio(entries)));
      const sock = join(work, "markers.sock");
      const { file, args } = qemuArgv({ qemu, accel, icount: false, memoryMiB, cpus: 1, kernel: image.kernel, initrd, append: bootCommandLine([], []), markerSocket: sock });
      const ctl = new AbortController();
      let hung = false;
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        if (idleS === undefined) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          hung = true;
          ctl.abort();
        }, idleS * 1000);
      };
      const onOuter = () => ctl.abort();
      opts.signal?.addEventListener("abort", onOuter, { once: true });
      const run = await runQemu({
        file, args, markerSocket: sock, bootTimeoutS: opts.bootTimeoutS ?? 180, totalTimeoutS: 6 * 3600, signal: ctl.signal,
        markerLimit: 64 << 20, onMarker: (l) => {
          if (l.line.startsWith("@@WF stage agent@@")) arm();
          else if (timer) arm();
        },
      });
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onOuter);
      if (opts.signal?.aborted) throw new WayfinderError("discovery aborted");
      if (run.spawnError) throw new WayfinderError(run.spawnError);
      return { m: parseDiscoveryMarkers(run.markerLines), run, hung };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  };

  // 1. List and read.
  note(`booting ${image.kernelVersion} to list writable files under ${roots.join(", ")}`);
  const listing = await boot([{ path: "/wf/discover/roots", type: "file", data: roots.join("\n") + "\n" }], undefined);
  if (!listing.m.agent || listing.m.dumpBytes === undefined) {
    throw new WayfinderError(`the listing boot did not complete (${listing.run.killReason ?? `QEMU exit ${listing.run.exitCode}`}); console tail:\n${tail(listing.run.console)}`);
  }
  if (listing.m.errors.length) throw new WayfinderError(`malformed discovery markers: ${listing.m.errors.slice(0, 3).join(" | ")}`);
  const dump = Buffer.from(listing.m.dumpHex, "hex");
  if (dump.length !== listing.m.dumpBytes) throw new WayfinderError(`the listing dump is incomplete: ${dump.length} of ${listing.m.dumpBytes} bytes arrived`);
  const all = decodeDump(dump);
  // A path the probe file format cannot carry (spaces, shell-special characters) is left out, and said so.
  const files = all.filter((f) => ROOT.test(f.path));
  if (files.length < all.length) note(`${all.length - files.length} files left out for their names: ${all.filter((f) => !ROOT.test(f.path)).slice(0, 5).map((f) => quote(f.path)).join(", ")}`);
  const listS = seconds(performance.now() - t0);
  note(`${files.length} writable files listed in ${listS} s`);

  const parameters: DiscoveredParameter[] = files.map((f) => {
    const inferred = inferRuntimeType(f.content);
    return { path: f.path, inferred, kind: inferred.kind, probes: 0 };
  });

  // 2. Plan the probes: two sequences per integer-like parameter.
  const planned: PlannedProbe[] = [];
  let seq = 0;
  if (opts.probe ?? true) {
    parameters.forEach((p, i) => {
      const t = p.inferred;
      if (t.kind !== "boolean" && t.kind !== "integer") return;
      for (const s of probeSequences(t.kind, BigInt(t.default), opts.maxSteps ?? 20)) {
        const id = seq++;
        for (const value of s.values) planned.push({ index: planned.length, seq: id, param: i, direction: s.direction, value });
      }
    });
  }
  const defaults = parameters.map((p) => (p.inferred.kind === "boolean" || p.inferred.kind === "integer" ? String(p.inferred.default) : ""));

  // 3. Probe in as few boots as the guest survives.
  const probes: ProbeRecord[] = [];
  const accepted = parameters.map(() => new Set<bigint>());
  const crashBy = new Map<string, bigint>();
  let remaining = planned;
  let crashes = 0;
  let fruitless = 0;
  const unrestorable = new Set<string>();
  const tProbe = performance.now();
  const maxBoots = opts.maxBoots ?? 60;
  while (remaining.length > 0 && boots < maxBoots) {
    const text = remaining.map((p) => `${p.seq} ${p.index} ${parameters[p.param]!.path} ${defaults[p.param]} ${p.value}`).join("\n") + "\n";
    note(`probe boot ${boots + 1}: ${remaining.length} probes planned`);
    const b = await boot([{ path: "/wf/discover/probes", type: "file", data: text }], opts.probeIdleS ?? 30);
    if (b.m.errors.length) throw new WayfinderError(`malformed discovery markers: ${b.m.errors.slice(0, 3).join(" | ")}`);
    if (!b.m.agent) {
      if (++fruitless >= 2) throw new WayfinderError(`the guest did not start twice in a row (${b.run.killReason ?? `QEMU exit ${b.run.exitCode}`}); console tail:\n${tail(b.run.console)}`);
      continue;
    }
    const crashed = !b.m.done;
    const kind: CrashKind = b.hung || b.run.killedBy === "timeout" ? "hang" : b.run.exitCode === 1 || /Kernel panic/.test(b.run.console) ? "panic" : "reset";
    const restoreFailed = new Set(b.m.restoreFailed);
    const stopped = new Set<number>();
    const next: PlannedProbe[] = [];
    let cut = false;
    let progress = 0;
    for (const p of remaining) {
      if (stopped.has(p.seq)) continue; // the sequence ended at an earlier value
      const param = parameters[p.param]!;
      const ev = cut ? undefined : b.m.probes.get(p.index);
      const base = { path: param.path, direction: p.direction, value: String(p.value), boot: boots };
      if (ev && ev.status !== "started") {
        progress++;
        param.probes++;
        if (ev.status === "accepted") {
          probes.push({ ...base, outcome: "accepted" });
          accepted[p.param]!.add(p.value);
        } else {
          probes.push(ev.status === "rejected" ? { ...base, outcome: "rejected", errno: ev.errno } : { ...base, outcome: "differs", ...(ev.readback !== undefined ? { readback: ev.readback } : {}) });
          stopped.add(p.seq);
        }
        if (restoreFailed.has(p.index) && !unrestorable.has(param.path)) {
          unrestorable.add(param.path);
          note(`${param.path}: the kernel refuses to have its default ${defaults[p.param]} written back (first after ${p.value}); later probes in that boot ran with it changed`);
        }
        continue;
      }
      if (!cut && crashed) {
        // The first probe without a result is the one the guest died in (or right after).
        progress++;
        param.probes++;
        crashes++;
        probes.push({ ...base, outcome: "crashed", crash: kind, attributedBy: ev?.status === "started" ? "marker" : "order" });
        crashBy.set(`${p.param}:${p.direction}`, p.value);
        stopped.add(p.seq);
        cut = true;
        note(`${param.path}=${p.value} ${kind === "hang" ? "hung" : kind === "panic" ? "panicked" : "reset"} the guest; rebooting`);
        continue;
      }
      cut = true;
      next.push(p);
    }
    remaining = next;
    if (progress === 0 && ++fruitless >= 2) {
      throw new WayfinderError(`two probe boots made no progress (${b.run.killReason ?? `QEMU exit ${b.run.exitCode}`}); console tail:\n${tail(b.run.console)}`);
    }
    if (progress > 0) fruitless = 0;
  }
  if (remaining.length) note(`${remaining.length} probes not made: the limit of ${maxBoots} boots was reached`);

  // 4. Settle each parameter's kind and range.
  parameters.forEach((p, i) => {
    const t = p.inferred;
    if (t.kind !== "boolean" && t.kind !== "integer") return;
    const values = [BigInt(t.default), ...accepted[i]!];
    p.min = values.reduce((a, b) => (b < a ? b : a));
    p.max = values.reduce((a, b) => (b > a ? b : a));
    const up = crashBy.get(`${i}:up`);
    const down = crashBy.get(`${i}:down`);
    if (up !== undefined) p.crashUp = up;
    if (down !== undefined) p.crashDown = down;
    if (!(opts.probe ?? true)) return;
    if (t.kind === "boolean") {
      const other = t.default === 0 ? 1n : 0n;
      if (accepted[i]!.has(2n)) p.kind = "integer";
      else if (accepted[i]!.has(other)) {
        p.kind = "boolean";
        p.min = 0n;
        p.max = 1n;
      } else p.kind = "fixed-integer";
    } else if (p.min === p.max) p.kind = "fixed-integer";
  });

  return {
    kernel: image.kernelVersion, accel, roots, parameters, probes, boots, crashes, notProbed: remaining.length,
    timings: { listS, probeS: seconds(performance.now() - tProbe), totalS: seconds(performance.now() - t0) }, unrestorable: [...unrestorable], notes,
  };
}

function tail(console: string): string {
  return console.replace(/\r/g, "").trim().split("\n").slice(-12).join("\n");
}

