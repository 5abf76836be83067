/**
 * Just enough ELF reading to copy an executable with its shared libraries: the program interpreter,
 * the DT_NEEDED sonames and the RUNPATH/RPATH. Reading the file (instead of running ldd) works for
 * binaries whose libraries are not installed on the host and never executes anything.
 */
import { fail } from "../../lib/errors";

export interface ElfDeps {
  interpreter?: string;
  needed: string[];
  runpath: string[];
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_RPATH = 15n;
const DT_RUNPATH = 29n;

export function isElf(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}

export function elfDeps(buf: Buffer, file = "<buffer>"): ElfDeps {
  if (!isElf(buf)) fail(`${file} is not an ELF file`);
  if (buf[4] !== 2 || buf[5] !== 1) fail(`${file} is not a 64-bit little-endian ELF file (only x86-64 guests are supported)`);
  const phoff = Number(buf.readBigUInt64LE(0x20));
  const phentsize = buf.readUInt16LE(0x36);
  const phnum = buf.readUInt16LE(0x38);
  const loads: { vaddr: bigint; offset: bigint; filesz: bigint }[] = [];
  let interpreter: string | undefined;
  let dynamic: { offset: number; size: number } | undefined;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    const type = buf.readUInt32LE(o);
    const offset = buf.readBigUInt64LE(o + 8);
    const vaddr = buf.readBigUInt64LE(o + 16);
    const filesz = buf.readBigUInt64LE(o + 32);
    if (type === PT_LOAD) loads.push({ vaddr, offset, filesz });
    if (type === PT_INTERP) interpreter = buf.toString("latin1", Number(offset), Number(offset + filesz)).replace(/\0.*$/s, "");
    if (type === PT_DYNAMIC) dynamic = { offset: Number(offset), size: Number(filesz) };
  }
  if (!dynamic) return { interpreter, needed: [], runpath: [] };
  const entries: [bigint, bigint][] = [];
  for (let o = dynamic.offset; o + 16 <= dynamic.offset + dynamic.size; o += 16) {
    const tag = buf.readBigInt64LE(o);
    if (tag === 0n) break;
    entries.push([tag, buf.readBigUInt64LE(o + 8)]);
  }
  const strtabAddr = entries.find(([t]) => t === DT_STRTAB)?.[1];
  const seg = strtabAddr === undefined ? undefined : loads.find((l) => strtabAddr >= l.vaddr && strtabAddr < l.vaddr + l.filesz);
  if (strtabAddr === undefined || !seg) fail(`${file}: dynamic string table not found`);
  const strtab = Number(strtabAddr - seg.vaddr + seg.offset);
  const str = (off: bigint) => {
    const start = strtab + Number(off);
    const end = buf.indexOf(0, start);
    return buf.toString("latin1", start, end);
  };
  return {
    interpreter,
    needed: entries.filter(([t]) => t === DT_NEEDED).map(([, v]) => str(v)),
    runpath: entries.filter(([t]) => t === DT_RUNPATH || t === DT_RPATH).flatMap(([, v]) => str(v).split(":")).filter(Boolean),
  };
}
