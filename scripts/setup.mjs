#!/usr/bin/env node
// Brings a fresh clone to a runnable state; idempotent and quick when nothing is missing.
// 1. Debian packages listed in scripts/apt-packages.txt: installed with apt-get when run as root,
//    otherwise the exact command is printed and setup fails.
// 2. npm packages: `npm ci` when node_modules is missing or older than package-lock.json.
// 3. The tslab Jupyter kernel, registered inside the project (.cache/jupyter), no global install.
import { existsSync, readFileSync, readdirSync, statSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const root = join(import.meta.dirname, "..");

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`setup: "${cmd} ${args.join(" ")}" failed with status ${r.status}`);
    process.exit(r.status ?? 1);
  }
}

function installed(pkg) {
  const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" });
  return r.status === 0 && r.stdout.includes("install ok installed");
}

const wanted = readFileSync(join(root, "scripts/apt-packages.txt"), "utf8")
  .split("\n")
  .map((l) => l.replace(/#.*/, "").trim())
  .filter(Boolean);
const missing = wanted.filter((p) => !installed(p));
// The VM image builder fetches guest packages with `apt-get download`, which needs package lists even
// when every package above is already installed (a fresh container often ships without them).
const haveLists = existsSync("/var/lib/apt/lists") && readdirSync("/var/lib/apt/lists").some((f) => f.includes("_Packages"));
if (!haveLists && missing.length === 0 && process.getuid?.() === 0) {
  console.log("setup: apt-get update (no package lists yet; the VM image builder needs them)");
  sh("apt-get", ["update", "-q"], { stdio: ["ignore", "ignore", "inherit"] });
}
if (missing.length > 0) {
  const install = ["install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=900", ...missing];
  if (process.getuid?.() === 0) {
    console.log(`setup: installing Debian packages: ${missing.join(" ")}`);
    sh("apt-get", ["update", "-q"], { stdio: ["ignore", "ignore", "inherit"] });
    sh("apt-get", install, { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, stdio: ["ignore", "ignore", "inherit"] });
  } else {
    console.error(`setup: missing Debian packages. Run as root:\n  sudo apt-get update && sudo apt-get ${install.join(" ")}`);
    process.exit(1);
  }
}

const stamp = join(root, "node_modules/.package-lock.json");
const lock = join(root, "package-lock.json");
if (!existsSync(stamp) || statSync(stamp).mtimeMs < statSync(lock).mtimeMs) {
  console.log("setup: npm ci");
  sh("npm", ["ci", "--no-audit", "--no-fund"]);
}

const kernelDir = join(root, ".cache/jupyter");
if (!existsSync(join(kernelDir, "share/jupyter/kernels/tslab/kernel.json")) && existsSync(join(root, "node_modules/.bin/tslab"))) {
  mkdirSync(kernelDir, { recursive: true });
  sh(join(root, "node_modules/.bin/tslab"), [
    "install", "--python=/usr/bin/python3", `--binary=${join(root, "node_modules/.bin/tslab")}`, `--prefix=${kernelDir}`,
  ], { stdio: ["ignore", "ignore", "inherit"] });
}
