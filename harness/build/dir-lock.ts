/**
 * A cross-process lock made of a directory (mkdir is atomic) holding the owner's pid. A lock left by a
 * process that died is taken over, so a crashed build never blocks the next one.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WayfinderError } from "../../lib/errors";

/** Take the lock (waiting up to `timeoutMs`) and return the function that releases it. */
export function acquireDirLock(lockDir: string, timeoutMs = 60 * 60_000): () => void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, "pid"), String(process.pid));
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let pid = NaN;
      try { pid = Number(readFileSync(join(lockDir, "pid"), "utf8")); } catch { /* owner still writing its pid */ }
      if (Number.isFinite(pid) && pid > 0 && !alive(pid)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new WayfinderError(`timed out waiting for the lock ${lockDir} (held by pid ${pid})`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
