/**
 * Does a freshly built kernel boot, and how much memory does it take? Boots the image under QEMU
 * with a one-file busybox initramfs whose /init prints /proc/meminfo between markers and reboots
 * (QEMU exits thanks to -no-reboot). Footprint = guest RAM - MemAvailable: MemTotal already excludes
 * the kernel image, which is what compile-time options change. The initramfs relies on the kernel's
 * built-in default initramfs for /dev/console (INITRAMFS_SOURCE=""), so no device node is needed.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WayfinderError } from "../../lib/errors";

export interface BootCheckOptions {
  /** Guest RAM in MiB (default 128). */
  memoryMiB?: number;
  timeoutS?: number;
  busybox?: string;
  qemu?: string;
}

export interface BootCheckResult {
  booted: boolean;
  bootS: number;
  memTotalKiB?: number;
  memFreeKiB?: number;
  memAvailableKiB?: number;
  /** Guest RAM minus MemAvailable, KiB. */
  footprintKiB?: number;
  /** Last console lines when the boot failed. */
  tail?: string[];
}

const BEGIN = "@@WF meminfo-begin@@";
const END = "@@WF meminfo-end@@";

export async function bootCheck(image: string, options: BootCheckOptions = {}): Promise<BootCheckResult> {
  const busybox = options.busybox ?? "/bin/busybox";
  if (!existsSync(busybox)) throw new WayfinderError(`${busybox} not found: install busybox-static`);
  if (!existsSync(image)) throw new WayfinderError(`kernel image ${image} not found`);
  const memoryMiB = options.memoryMiB ?? 128;
  const dir = mkdtempSync(join(tmpdir(), "wf-bootcheck-"));
  try {
    const init = [
      "#!/bin/busybox sh",
      "/bin/busybox mkdir -p /proc",
      "/bin/busybox mount -t proc proc /proc",
      `echo "${BEGIN}"`,
      "/bin/busybox cat /proc/meminfo",
      `echo "${END}"`,
      "/bin/busybox reboot -f",
    ].join("\n") + "\n";
    const initrd = join(dir, "initrd.cpio");
    writeFileSync(initrd, newc([
      { name: "bin", mode: 0o040755 },
      { name: "bin/busybox", mode: 0o100755, data: readFileSync(busybox) },
      { name: "init", mode: 0o100755, data: Buffer.from(init) },
    ]));
    const argv = [
      "-nodefaults", "-no-user-config", "-display", "none", "-accel", "tcg", "-m", `${memoryMiB}M`, "-no-reboot",
      "-kernel", image, "-initrd", initrd, "-append", "console=ttyS0 panic=-1", "-serial", "stdio",
    ];
    const started = performance.now();
    const out = await run(options.qemu ?? "qemu-system-x86_64", argv, (options.timeoutS ?? 180) * 1000);
    const bootS = Math.round((performance.now() - started) / 10) / 100;
    const text = out.replace(/\r/g, "");
    const i = text.indexOf(BEGIN);
    const j = text.indexOf(END, i + 1);
    if (i < 0 || j < 0) return { booted: false, bootS, tail: text.trim().split("\n").slice(-15) };
    const meminfo = new Map<string, number>();
    for (const line of text.slice(i + BEGIN.length, j).split("\n")) {
      const m = /^(\w+):\s+(\d+) kB/.exec(line.trim());
      if (m) meminfo.set(m[1]!, Number(m[2]));
    }
    const avail = meminfo.get("MemAvailable");
    return {
      booted: true, bootS, memTotalKiB: meminfo.get("MemTotal"), memFreeKiB: meminfo.get("MemFree"), memAvailableKiB: avail,
      ...(avail !== undefined ? { footprintKiB: memoryMiB * 1024 - avail } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, argv: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { out += d; });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => { clearTimeout(timer); reject(new WayfinderError(`cannot run ${cmd}: ${e.message}; install qemu-system-x86`)); });
    child.on("close", () => { clearTimeout(timer); resolve(out); });
  });
}

/** A newc (SVR4, no CRC) cpio archive: 110-byte ASCII headers, name and data padded to 4 bytes. */
function newc(entries: { name: string; mode: number; data?: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  const pad = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);
  let ino = 1;
  const add = (name: string, mode: number, data: Buffer) => {
    const fields = [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length + 1, 0];
    const header = "070701" + fields.map((f) => f.toString(16).padStart(8, "0")).join("");
    const head = Buffer.concat([Buffer.from(header), Buffer.from(name + "\0")]);
    parts.push(head, pad(head.length), data, pad(data.length));
  };
  for (const e of entries) add(e.name, e.mode, e.data ?? Buffer.alloc(0));
  add("TRAILER!!!", 0, Buffer.alloc(0));
  return Buffer.concat(parts);
}
