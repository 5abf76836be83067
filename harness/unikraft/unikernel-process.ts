/**
 * One running unikernel: QEMU started without a shell (under `setpriv --pdeathsig KILL` when available,
 * so it dies with the host process even on SIGKILL), its console captured with a size bound, its exit
 * awaited, and a kill that is safe to call twice. Every QEMU started here is killed on process exit.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { BoundedText } from "../vm/bounded-text";

export interface UnikernelProcess {
  pid?: number;
  /** The console so far (bounded: head and tail kept). */
  console(): string;
  /** Resolves when QEMU has exited. */
  exit: Promise<{ code: number | null; signal: string | null; spawnError?: string }>;
  exited(): boolean;
  kill(): void;
}

const live = new Set<ChildProcess>();
let hooked = false;
let setpriv: boolean | undefined;

export function startUnikernel(file: string, args: string[]): UnikernelProcess {
  if (!hooked) {
    hooked = true;
    process.on("exit", () => {
      for (const c of live) c.kill("SIGKILL");
    });
  }
  if (setpriv === undefined) setpriv = spawnSync("setpriv", ["--help"], { stdio: "ignore" }).status === 0;
  const child = setpriv
    ? spawn("setpriv", ["--pdeathsig", "KILL", "--", file, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  const text = new BoundedText(32 * 1024, 64 * 1024);
  child.stdout!.setEncoding("latin1");
  child.stderr!.setEncoding("latin1");
  child.stdout!.on("data", (d: string) => text.push(d));
  child.stderr!.on("data", (d: string) => text.push(d));
  let done = false;
  const exit = new Promise<{ code: number | null; signal: string | null; spawnError?: string }>((resolve) => {
    child.on("error", (e) => {
      done = true;
      live.delete(child);
      resolve({ code: null, signal: null, spawnError: e.message });
    });
    child.on("close", (code, signal) => {
      done = true;
      live.delete(child);
      resolve({ code, signal });
    });
  });
  return {
    pid: child.pid,
    console: () => text.text(),
    exit,
    exited: () => done,
    kill: () => {
      if (!done) child.kill("SIGKILL");
    },
  };
}
