/**
 * Debian packages fetched with `apt-get download` (no root needed) into a content cache, plus the
 * queries that pin versions (the image cache key includes them) and follow library dependencies.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fail, quote } from "../../lib/errors";

function run(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd: opts.cwd, timeout: opts.timeoutMs ?? 120_000, env: { ...process.env, LC_ALL: "C" } });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message} (is this a Debian/Ubuntu system with apt?)`);
  return r;
}

const NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/** The candidate version apt would install for each package; a clear error when apt does not know it. */
export function candidateVersions(packages: string[]): Map<string, string> {
  for (const p of packages) if (!NAME.test(p)) fail(`invalid Debian package name ${quote(p)}`);
  const out = new Map<string, string>();
  if (packages.length === 0) return out;
  const r = run("apt-cache", ["policy", ...packages]);
  let current: string | undefined;
  for (const line of r.stdout.split("\n")) {
    const head = /^(\S+):$/.exec(line);
    if (head) current = head[1];
    const cand = /^\s+Candidate: (\S+)/.exec(line);
    if (cand && current && cand[1] !== "(none)") out.set(current, cand[1]);
  }
  const missing = packages.filter((p) => !out.has(p));
  if (missing.length > 0) {
    fail(
      `apt does not know the Debian package(s) ${missing.join(", ")}. If they exist in Debian 12, the package lists are missing: ` +
        `run "apt-get update" as root (scripts/setup.mjs does it when it installs packages).`,
    );
  }
  return out;
}

/**
 * The packages plus the library packages they need, transitively (Depends and Pre-Depends whose name
 * starts with lib or zlib; the first of alternatives). Programs such as adduser or perl are left out:
 * the image only needs shared libraries, which elf.ts then picks file by file.
 */
export function libraryClosure(packages: string[]): string[] {
  if (packages.length === 0) return [];
  const r = run("apt-cache", ["depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", ...packages]);
  const deps = new Map<string, string[]>();
  let current: string | undefined;
  let inAlternatives = false;
  for (const line of r.stdout.split("\n")) {
    if (/^\S/.test(line)) {
      current = line.trim();
      deps.set(current, deps.get(current) ?? []);
      inAlternatives = false;
      continue;
    }
    const m = /^ (\|| )(?:Pre)?Depends: (\S+)$/.exec(line);
    if (!m || !current) continue;
    const alt = m[1] === "|";
    const name = m[2];
    if (!inAlternatives && !name.startsWith("<")) deps.get(current)!.push(name);
    // "|Depends: a" is followed by the other alternatives; only the first real one is taken.
    inAlternatives = alt ? inAlternatives || !name.startsWith("<") : false;
  }
  const seen = new Set<string>(packages);
  const queue = [...packages];
  while (queue.length) {
    for (const d of deps.get(queue.shift()!) ?? []) {
      if (!seen.has(d) && /^(lib|zlib)/.test(d)) {
        seen.add(d);
        queue.push(d);
      }
    }
  }
  return [...seen].sort();
}

/** The versioned package a metapackage (e.g. linux-image-cloud-amd64) depends on, or the name itself. */
export function resolveKernelPackage(name: string): string {
  const r = run("apt-cache", ["depends", "--no-recommends", "--no-suggests", name]);
  const m = /Depends: (linux-image-\d[^\s]*)/.exec(r.stdout);
  return m ? m[1] : name;
}

/** Path of the cached .deb for package=version, downloading it when missing. */
export function fetchDeb(cacheDir: string, pkg: string, version: string): string {
  const dir = join(cacheDir, "debs");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${pkg}_${version.replace(/[^A-Za-z0-9.+~-]/g, "_")}.deb`);
  if (existsSync(file)) return file;
  const tmp = mkdtempSync(join(dir, ".dl-"));
  try {
    const r = run("apt-get", ["download", "-q", `${pkg}=${version}`], { cwd: tmp, timeoutMs: 600_000 });
    const got = readdirSync(tmp).filter((f) => f.endsWith(".deb"));
    if (r.status !== 0 || got.length !== 1) {
      fail(`apt-get download ${pkg}=${version} failed (status ${r.status}): ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" / ")}`);
    }
    renameSync(join(tmp, got[0]), file);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return file;
}

export function extractDeb(deb: string, into: string): void {
  mkdirSync(into, { recursive: true });
  const r = run("dpkg-deb", ["-x", deb, into], { timeoutMs: 300_000 });
  if (r.status !== 0) fail(`dpkg-deb -x ${deb} failed: ${r.stderr.trim()}`);
}
