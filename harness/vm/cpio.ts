/**
 * A writer for the "newc" cpio format the Linux initramfs unpacker reads. Pure and deterministic
 * (inode numbers from the entry order, mtime 0, uid/gid 0), so the same entries give the same bytes
 * and the image cache can be keyed by content. Parent directories are emitted automatically because
 * the kernel's unpacker does not create them.
 */
import { fail, quote } from "../../lib/errors";

export type CpioEntry =
  | { path: string; type: "file"; data: Uint8Array | string; mode?: number }
  | { path: string; type: "dir"; mode?: number }
  | { path: string; type: "symlink"; target: string };

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

/** Normalise a guest path to the archive's relative form ("etc/redis.conf"), rejecting anything that could escape the root. */
export function cpioName(path: string): string {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.some((p) => p === "..") || /[\0\n]/.test(path)) {
    fail(`invalid path in the guest image: ${quote(path)}; expected an absolute path without "..", NUL or newline`);
  }
  return parts.join("/");
}

/** Every entry plus the directories that contain them, parents first, each name once (later entries win). */
function withParents(entries: CpioEntry[]): CpioEntry[] {
  const out = new Map<string, CpioEntry>();
  for (const e of entries) {
    const name = cpioName(e.path);
    const parts = name.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (!out.has(dir)) out.set(dir, { path: dir, type: "dir" });
    }
    out.set(name, { ...e, path: name });
  }
  return [...out.values()];
}

function header(ino: number, mode: number, nlink: number, size: number, nameSize: number): string {
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  return "070701" + [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, nameSize, 0].map(hex8).join("");
}

/** Serialise entries to a newc archive ending with the TRAILER!!! record. */
export function writeCpio(entries: CpioEntry[], opts: { parents?: boolean } = {}): Buffer {
  const list = opts.parents === false ? entries.map((e) => ({ ...e, path: cpioName(e.path) })) : withParents(entries);
  const chunks: Buffer[] = [];
  let ino = 1;
  const push = (name: string, mode: number, nlink: number, data: Buffer) => {
    const nameBuf = Buffer.from(name + "\0", "utf8");
    const head = Buffer.from(header(ino++, mode, nlink, data.length, nameBuf.length), "ascii");
    chunks.push(head, nameBuf, Buffer.alloc(pad4(head.length + nameBuf.length)), data, Buffer.alloc(pad4(data.length)));
  };
  for (const e of list) {
    if (e.type === "dir") push(e.path, S_IFDIR | (e.mode ?? 0o755), 2, Buffer.alloc(0));
    else if (e.type === "symlink") push(e.path, S_IFLNK | 0o777, 1, Buffer.from(e.target, "utf8"));
    else push(e.path, S_IFREG | (e.mode ?? 0o644), 1, typeof e.data === "string" ? Buffer.from(e.data, "utf8") : Buffer.from(e.data));
  }
  ino = 0;
  push("TRAILER!!!", 0, 1, Buffer.alloc(0));
  return Buffer.concat(chunks);
}

/**
 * Append a cpio segment to an initrd. The kernel only reads a following segment when it starts on a
 * 4-byte boundary (otherwise it silently ignores it), so the first part is padded with zeros.
 */
export function appendInitrd(initrd: Uint8Array, segment: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(initrd), Buffer.alloc(pad4(initrd.length)), Buffer.from(segment)]);
}

/** Read back a newc archive (uncompressed): used by tests and to check user-supplied initrds. */
export function readCpio(buf: Uint8Array): { name: string; mode: number; data: Buffer }[] {
  const b = Buffer.from(buf);
  const out: { name: string; mode: number; data: Buffer }[] = [];
  let off = 0;
  while (off + 110 <= b.length) {
    const magic = b.toString("ascii", off, off + 6);
    if (magic !== "070701" && magic !== "070702") fail(`not a newc cpio archive: bad magic ${quote(magic)} at byte ${off}`);
    const field = (i: number) => parseInt(b.toString("ascii", off + 6 + i * 8, off + 14 + i * 8), 16);
    const mode = field(1);
    const size = field(6);
    const nameSize = field(11);
    const nameStart = off + 110;
    const name = b.toString("utf8", nameStart, nameStart + nameSize - 1);
    const dataStart = nameStart + nameSize + pad4(110 + nameSize);
    if (name === "TRAILER!!!") break;
    out.push({ name, mode, data: b.subarray(dataStart, dataStart + size) });
    off = dataStart + size + pad4(size);
  }
  return out;
}
