/**
 * A DeepTune model on disk: a directory with `model.json` (the tfjs-layers topology, the weights
 * manifest, and DeepTune's own metadata: format version, network settings, the encoder's column names
 * and the parameter names they belong to, the target transform) and `weights.bin` (float32 weights in
 * manifest order). tfjs-node's file:// handler is unavailable here, so this writes the same artifacts
 * itself; writing is synchronous so a searcher can save from dispose().
 */
import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fail, quote } from "../errors";
import "./rbf-layer"; // registers the custom layer class before any model is deserialised

export const MODEL_FORMAT = "wayfinder-deeptune";
export const MODEL_VERSION = 2; // 2: the wide (linear) path dt_wide

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: "float32";
}

/** Write `model` and `metadata` (any JSON) to `dir`, creating it; files are replaced atomically. */
export function saveModelDirectory(dir: string, model: tf.LayersModel, metadata: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  const specs: WeightSpec[] = [];
  const chunks: Float32Array[] = [];
  for (const w of model.weights) {
    const values = w.read().dataSync() as Float32Array;
    specs.push({ name: w.originalName, shape: w.shape as number[], dtype: "float32" });
    chunks.push(values);
  }
  const total = chunks.reduce((s, c) => s + c.length, 0);
  const all = new Float32Array(total);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  const json = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    generatedBy: `wayfinder-ts, TensorFlow.js ${tf.version.tfjs}`,
    modelTopology: model.toJSON(null, false),
    weightsManifest: [{ paths: ["weights.bin"], weights: specs }],
    deeptune: metadata,
  };
  const write = (name: string, data: string | Uint8Array) => {
    const tmp = join(dir, `.${name}.tmp-${process.pid}`);
    writeFileSync(tmp, data);
    renameSync(tmp, join(dir, name));
  };
  write("weights.bin", new Uint8Array(all.buffer));
  write("model.json", JSON.stringify(json));
}

export interface LoadedModelDirectory {
  model: tf.LayersModel;
  metadata: Record<string, unknown>;
}

/** Read a directory written by saveModelDirectory; anything else is a clear error naming the file. */
export async function loadModelDirectory(dir: string): Promise<LoadedModelDirectory> {
  const jsonPath = join(dir, "model.json");
  const binPath = join(dir, "weights.bin");
  if (!existsSync(jsonPath)) fail(`${dir}: not a DeepTune model directory (no model.json); save one with --save-model <dir>`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(jsonPath, "utf8"));
  } catch (err) {
    fail(`${jsonPath}: not valid JSON (${(err as Error).message})`);
  }
  if (json.format !== MODEL_FORMAT)
    fail(`${jsonPath}: format ${quote(json.format)} is not ${quote(MODEL_FORMAT)}; this is not a model saved by wayfinder deeptune`);
  if (json.version !== MODEL_VERSION)
    fail(`${jsonPath}: model format version ${quote(json.version)} is not supported by this version of wayfinder (expects ${MODEL_VERSION}); retrain and save the model again`);
  const manifest = json.weightsManifest as { weights?: WeightSpec[] }[] | undefined;
  const specs = manifest?.[0]?.weights;
  if (!Array.isArray(specs) || !json.modelTopology || typeof json.deeptune !== "object")
    fail(`${jsonPath}: incomplete model file (needs modelTopology, weightsManifest and deeptune metadata)`);
  if (!existsSync(binPath)) fail(`${dir}: weights.bin is missing next to model.json`);
  const bytes = readFileSync(binPath);
  const expected = specs.reduce((s, w) => s + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes.length !== expected)
    fail(`${binPath}: corrupt weights file: ${bytes.length} bytes, but model.json describes ${expected} bytes of float32 weights`);
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  for (let i = 0; i < floats.length; i++) {
    if (!Number.isFinite(floats[i])) fail(`${binPath}: corrupt weights file: value #${i} is ${floats[i]}`);
  }
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology as object, weightSpecs: specs, weightData: floats.buffer }));
  } catch (err) {
    fail(`${dir}: the model could not be rebuilt from model.json and weights.bin: ${(err as Error).message}`);
  }
  return { model, metadata: json.deeptune as Record<string, unknown> };
}
