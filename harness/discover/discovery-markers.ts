/**
 * The guest agent's markers in discovery mode (see harness/vm/guest-init.ts): the hex dump of the
 * listed files and the outcome of each probe. Strict like the evaluation parser: a line that is not a
 * well-formed marker is an error, so nothing a file's content holds can forge a result (contents only
 * ever travel hex-encoded, and probe readbacks are digits or "x").
 */
import type { TimedLine } from "../vm/markers";

export type ProbeEvent =
  | { status: "started"; atMs?: number }
  | { status: "accepted"; atMs?: number }
  | { status: "differs"; readback?: string; atMs?: number }
  | { status: "rejected"; errno: string; atMs?: number };

export interface DiscoveryMarkers {
  agent: boolean;
  done: boolean;
  dumpHex: string;
  /** Byte count the guest announced after the dump (undefined: the dump did not finish). */
  dumpBytes?: number;
  probes: Map<number, ProbeEvent>;
  /** Probes after which the default could not be written back (the agent stopped there). */
  restoreFailed: number[];
  errors: string[];
}

const LINE = /^@@WF ([a-z-]+)((?: [^ @]+)*)@@$/;

export function parseDiscoveryMarkers(lines: (string | TimedLine)[]): DiscoveryMarkers {
  const r: DiscoveryMarkers = { agent: false, done: false, dumpHex: "", probes: new Map(), restoreFailed: [], errors: [] };
  const chunks: string[] = [];
  for (const item of lines) {
    const { line: raw, atMs } = typeof item === "string" ? { line: item, atMs: undefined } : item;
    const line = raw.replace(/\r+$/, "");
    if (line === "") continue;
    const m = LINE.exec(line);
    const bad = () => r.errors.push(line.length > 120 ? line.slice(0, 117) + "..." : line);
    if (!m) {
      bad();
      continue;
    }
    const args = m[2] === "" ? [] : m[2]!.slice(1).split(" ");
    switch (m[1]) {
      case "stage":
        if (args[0] === "agent") r.agent = true;
        else if (args[0] === "done") r.done = true;
        break;
      case "module":
      case "bootlog":
        break; // the agent's start-up reports, shared with evaluation mode
      case "dump":
        if (args.length === 1 && /^(?:[0-9a-f]{2})+$/.test(args[0]!)) chunks.push(args[0]!);
        else bad();
        break;
      case "dumpend":
        if (args.length === 1 && /^\d+$/.test(args[0]!)) r.dumpBytes = Number(args[0]);
        else bad();
        break;
      case "p": {
        const index = Number(args[0]);
        if (!/^\d{1,7}$/.test(args[0] ?? "")) {
          bad();
          break;
        }
        const kind = args[1];
        if (kind === "s" && args.length === 2) r.probes.set(index, { status: "started", atMs });
        else if (kind === "ok" && args.length === 2) r.probes.set(index, { status: "accepted", atMs });
        else if (kind === "differs" && args.length === 3 && /^(-?\d+|x)$/.test(args[2]!)) r.probes.set(index, { status: "differs", ...(args[2] !== "x" ? { readback: args[2] } : {}), atMs });
        else if (kind === "rejected" && args.length === 3 && /^[A-Za-z]{1,16}$/.test(args[2]!)) r.probes.set(index, { status: "rejected", errno: args[2]!, atMs });
        else if (kind === "restore-failed" && args.length === 2) r.restoreFailed.push(index);
        else bad();
        break;
      }
      default:
        bad();
    }
  }
  r.dumpHex = chunks.join("");
  return r;
}

/** One listed file: its path and content (undefined when root could not read it). */
export interface DumpedFile {
  path: string;
  content?: string;
}

/** Records are \x1e path \x1f content, with \x1d as the content of an unreadable file. */
export function decodeDump(bytes: Buffer): DumpedFile[] {
  const text = bytes.toString("latin1");
  const out: DumpedFile[] = [];
  for (const record of text.split("\x1e").slice(1)) {
    const sep = record.indexOf("\x1f");
    if (sep < 0) continue;
    const path = record.slice(0, sep);
    const body = record.slice(sep + 1);
    // cat may have printed part of a file before failing: a trailing \x1d marks it unreadable
    out.push(body.endsWith("\x1d") ? { path } : { path, content: Buffer.from(body, "latin1").toString("utf8") });
  }
  return out;
}
