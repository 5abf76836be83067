/**
 * Chooses the TensorFlow.js backend DeepTune runs on: tfjs-node when the user installed it (native
 * TensorFlow, fastest), otherwise the WebAssembly backend (single-threaded SIMD, 5-6x faster than
 * pure JS here), otherwise the pure-JS "cpu" backend. The choice is made once per process and
 * reported, because the cost figures depend on it.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fail, quote } from "../errors";

export type BackendName = "tensorflow" | "wasm" | "cpu";

export interface BackendInfo {
  name: BackendName;
  /** Why this backend and not a faster one, e.g. "tfjs-node not installed". */
  notes: string[];
}

let chosen: Promise<BackendInfo> | undefined;

/**
 * Where the backend's .wasm files are. lib/ must load both under tsx (ESM) and in the notebook kernel
 * (CommonJS), so instead of import.meta we resolve the package from the working directory, which
 * finds the project's node_modules from the repository root and from notebooks/ alike.
 * WAYFINDER_TFJS_WASM_DIR overrides it.
 */
export function wasmDirectory(): string | undefined {
  const override = process.env.WAYFINDER_TFJS_WASM_DIR;
  if (override) return override.endsWith("/") ? override : override + "/";
  try {
    const req = createRequire(join(process.cwd(), "noop.js"));
    const pkg = req.resolve("@tensorflow/tfjs-backend-wasm/package.json");
    const dir = join(dirname(pkg), "dist");
    return existsSync(join(dir, "tfjs-backend-wasm-simd.wasm")) ? dir + "/" : undefined;
  } catch {
    return undefined;
  }
}

async function tryTfjsNode(notes: string[]): Promise<boolean> {
  // The specifier is a variable so neither tsc nor a bundler insists on the optional package.
  const specifier = "@tensorflow/tfjs-node";
  try {
    await import(specifier);
    if (await tf.setBackend("tensorflow")) return true;
    notes.push("tfjs-node loaded but its backend did not initialise");
  } catch {
    notes.push("tfjs-node not installed");
  }
  return false;
}

async function tryWasm(notes: string[]): Promise<boolean> {
  const dir = wasmDirectory();
  if (!dir) {
    notes.push("wasm files of @tensorflow/tfjs-backend-wasm not found from " + process.cwd());
    return false;
  }
  try {
    setWasmPaths(dir);
    if (await tf.setBackend("wasm")) return true;
    notes.push("wasm backend did not initialise");
  } catch (err) {
    notes.push(`wasm backend failed: ${(err as Error).message}`);
  }
  return false;
}

/**
 * Initialise the fastest available backend (or the one asked for: "auto", "tensorflow", "wasm",
 * "cpu"; also settable with WAYFINDER_TFJS_BACKEND). Idempotent: later calls return the first choice.
 */
export function initBackend(preferred: string = process.env.WAYFINDER_TFJS_BACKEND ?? "auto"): Promise<BackendInfo> {
  if (!["auto", "tensorflow", "wasm", "cpu"].includes(preferred))
    fail(`unknown TensorFlow.js backend ${quote(preferred)}; valid: auto, tensorflow, wasm, cpu`);
  chosen ??= (async () => {
    const notes: string[] = [];
    if (preferred === "auto" || preferred === "tensorflow") {
      if (await tryTfjsNode(notes)) return { name: "tensorflow" as const, notes };
    }
    if (preferred === "auto" || preferred === "wasm") {
      if (await tryWasm(notes)) return { name: "wasm" as const, notes };
    }
    await tf.setBackend("cpu");
    await tf.ready();
    return { name: "cpu" as const, notes };
  })();
  return chosen;
}

export { tf };
