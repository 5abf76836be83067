/**
 * DeepTune's model of one application: the network plus what gives its numbers meaning — the names
 * of the encoded columns (and the parameters they belong to), and the transform between measured
 * performance and the network's standardised "goodness" target. Goodness is the measurement made
 * larger-is-better (negated for objectives to minimise) and taken as a log when every value is
 * positive and spans more than a factor of two (latencies with a heavy tail), then z-scored; so a model
 * trained on a throughput can start a latency search (transfer learning) and vice versa.
 * Beside the network sits an optional sparse linear crash model (sparse-crash-model.ts); the crash
 * probability is a mixture of the two, weighted by `crashMix`. It is saved, loaded and transferred with
 * the network.
 */
import * as tf from "@tensorflow/tfjs";
import type { Direction } from "../datasets/types";
import { fail, quote } from "../errors";
import { DeepTuneNetwork, type NetworkConfig, type Predictions } from "./deeptune-network";
import { loadModelDirectory, saveModelDirectory } from "./model-directory";
import { SparseCrashModel, wrapPenaltyFactors, type SparseCrashState } from "./sparse-crash-model";

/**
 * What a transferred model brings to the new application. "all": the whole network, performance
 * knowledge included (the paper's transfer learning). "crash": only what predicts crashes; the deep
 * layers and the performance outputs start fresh. Crashes come from the kernel configuration, whatever
 * runs on it, while what makes an application fast is its own (the paper's cross-application
 * similarity of parameter importance is 0.96 for hpc and redis but about 0.45 for sqlite and the others).
 */
export type TransferScope = "all" | "crash";
export const TRANSFER_SCOPES: readonly TransferScope[] = ["all", "crash"];

export interface TargetTransform {
  direction: Direction;
  log: boolean;
  center: number;
  scale: number;
}

export interface ModelPredictions extends Predictions {
  /** The network's own crash probability (crashProbability mixes it with the sparse model's). */
  networkCrashProbability: Float32Array;
  /** The sparse crash model's, or null when there is none or it has not been fitted yet. */
  sparseCrashProbability: Float32Array | null;
  /** Predicted performance in the objective's own units. */
  value: Float64Array;
  /** Predicted goodness (standardised, larger is better). */
  goodness: Float32Array;
}

export interface TrainingSet {
  /** Row-major [rows, columns.length]. */
  x: Float32Array;
  rows: number;
  crashed: ArrayLike<boolean | number>;
  /** Measured values (ignored on crashed rows). */
  values: ArrayLike<number>;
}

export class DeepTuneModel {
  target: TargetTransform;
  /** Null when the sparse crash model is off (crashL1 = 0) or the model was saved without one. */
  sparseCrash: SparseCrashModel | null = null;
  /**
   * Weight of the network in the crash-probability mixture (the sparse model gets 1 - crashMix). The
   * searcher sets it from each model's log-loss on its recent picks; 0.5 until then.
   */
  crashMix = 0.5;

  constructor(
    readonly network: DeepTuneNetwork,
    readonly columns: readonly string[],
    readonly columnParameters: readonly string[],
    direction: Direction,
  ) {
    if (columns.length !== network.config.inputDim)
      fail(`model has ${network.config.inputDim} inputs but ${columns.length} column names were given`);
    this.target = { direction, log: false, center: 0, scale: 1 };
  }

  /**
   * `crashL1` > 0 adds a sparse crash model with that total L1 penalty (0: the network alone), whose
   * penalty on the 32-bit wrap columns is multiplied by `wrapPenalty` (1: no prior).
   */
  static create(config: Omit<NetworkConfig, "inputDim">, columns: readonly string[], columnParameters: readonly string[], direction: Direction,
    crashL1 = 0, wrapPenalty = 1): DeepTuneModel {
    const m = new DeepTuneModel(DeepTuneNetwork.create({ ...config, inputDim: columns.length }), columns, columnParameters, direction);
    if (crashL1 > 0) m.sparseCrash = new SparseCrashModel(columns.length, crashL1, wrapPenaltyFactors(columns, wrapPenalty) ?? undefined);
    return m;
  }

  /** Re-fit the target transform to the non-crashed measurements seen so far. */
  fitTarget(values: ArrayLike<number>, crashed: ArrayLike<boolean | number>): void {
    const ok: number[] = [];
    for (let i = 0; i < values.length; i++) if (!crashed[i] && Number.isFinite(values[i])) ok.push(values[i]);
    const sign = this.target.direction === "max" ? 1 : -1;
    if (ok.length === 0) {
      this.target = { ...this.target, log: false, center: 0, scale: 1 };
      return;
    }
    const min = Math.min(...ok);
    const max = Math.max(...ok);
    const log = min > 0 && max / min > 2;
    const t = ok.map((v) => sign * (log ? Math.log(v) : v));
    const center = t.reduce((a, b) => a + b, 0) / t.length;
    const sd = Math.sqrt(t.reduce((a, b) => a + (b - center) ** 2, 0) / t.length);
    this.target = { direction: this.target.direction, log, center, scale: sd > 0 ? sd : Math.abs(center) > 0 ? Math.abs(center) * 0.01 : 1 };
  }

  toGoodness(v: number): number {
    const sign = this.target.direction === "max" ? 1 : -1;
    return (sign * (this.target.log ? Math.log(Math.max(v, 1e-300)) : v) - this.target.center) / this.target.scale;
  }

  fromGoodness(g: number): number {
    const sign = this.target.direction === "max" ? 1 : -1;
    const t = (g * this.target.scale + this.target.center) * sign;
    return this.target.log ? Math.exp(t) : t;
  }

  /** Warm-started training: fit the target transform, then `steps` minibatch steps. */
  train(data: TrainingSet, steps: number, batchSize: number, mustInclude: number[] = []) {
    this.fitTarget(data.values, data.crashed);
    const y = new Float32Array(data.rows);
    for (let i = 0; i < data.rows; i++) y[i] = data.crashed[i] ? 0 : this.toGoodness(data.values[i]);
    this.sparseCrash?.fit(data.x, data.rows, data.crashed);
    return this.network.update({ x: data.x, rows: data.rows, crashed: data.crashed, y }, steps, batchSize, mustInclude);
  }

  predict(x: Float32Array, rows: number, batchSize = 1024): ModelPredictions {
    const p = this.network.predict(x, rows, batchSize);
    const value = new Float64Array(rows);
    for (let i = 0; i < rows; i++) value[i] = this.fromGoodness(p.mean[i]);
    const networkCrashProbability = p.crashProbability;
    let crashProbability = networkCrashProbability;
    let sparseCrashProbability: Float32Array | null = null;
    if (this.sparseCrash?.fitted) {
      sparseCrashProbability = this.sparseCrash.probability(x, rows);
      crashProbability = new Float32Array(rows);
      for (let i = 0; i < rows; i++) crashProbability[i] = this.crashMix * networkCrashProbability[i] + (1 - this.crashMix) * sparseCrashProbability[i];
    }
    return { ...p, crashProbability, networkCrashProbability, sparseCrashProbability, goodness: p.mean, value };
  }

  save(dir: string): void {
    const { inputDim: _unused, ...config } = this.network.config;
    void _unused;
    saveModelDirectory(dir, this.network.model, {
      network: config,
      columns: this.columns,
      columnParameters: this.columnParameters,
      parameterNames: [...new Set(this.columnParameters)],
      target: this.target,
      ...(this.sparseCrash ? { sparseCrash: { l1: this.sparseCrash.l1, penalty: Array.from(this.sparseCrash.penalty), ...this.sparseCrash.state() } } : {}),
    });
  }

  static async load(dir: string): Promise<DeepTuneModel> {
    const { model, metadata } = await loadModelDirectory(dir);
    const where = `${dir}/model.json`;
    const columns = metadata.columns as string[] | undefined;
    const params = metadata.columnParameters as string[] | undefined;
    const net = metadata.network as Omit<NetworkConfig, "inputDim"> | undefined;
    const target = metadata.target as TargetTransform | undefined;
    if (!Array.isArray(columns) || !Array.isArray(params) || columns.length !== params.length || !net || !target)
      fail(`${where}: DeepTune metadata is incomplete (needs columns, columnParameters of equal length, network, target)`);
    const inputDim = (model.inputs[0].shape[1] as number) ?? -1;
    if (inputDim !== columns.length) fail(`${where}: the network has ${inputDim} inputs but the metadata names ${columns.length} columns`);
    if (target.direction !== "max" && target.direction !== "min") fail(`${where}: target.direction ${quote(target.direction)} is not max or min`);
    const m = new DeepTuneModel(DeepTuneNetwork.fromModel({ ...net, inputDim }, model), columns, params, target.direction);
    m.target = target;
    const sparse = metadata.sparseCrash as (SparseCrashState & { l1: number; penalty?: number[] }) | undefined;
    if (sparse !== undefined) {
      if (!sparse || !(sparse.l1 > 0)) fail(`${where}: sparseCrash.l1 must be a number > 0, got ${quote(sparse?.l1)}`);
      // Models saved before per-column penalties had none: every factor 1.
      if (sparse.penalty !== undefined && (!Array.isArray(sparse.penalty) || sparse.penalty.length !== columns.length || sparse.penalty.some((f) => !(typeof f === "number" && f > 0))))
        fail(`${where}: sparseCrash.penalty must list ${columns.length} numbers > 0 (one per column), got ${quote(sparse.penalty)}`);
      m.sparseCrash = new SparseCrashModel(columns.length, sparse.l1, sparse.penalty);
      m.sparseCrash.restore(sparse, undefined, `${where}: sparseCrash`);
    }
    return m;
  }

  /**
   * A new model for another application whose encoder has `columns`. Scope "all" copies every layer's
   * weights; scope "crash" copies only the crash knowledge (the wide path, which feeds only the crash
   * output, and the sparse crash model) and leaves the deep layers, and with them the performance
   * outputs, at their fresh initialisation (see TransferScope). The rows of the input-facing matrices
   * (first dense kernel, wide kernel, first RBF projection) are copied only for columns with the same
   * name in both; new columns keep their fresh initialisation. Returns the model and how many columns
   * were matched.
   */
  transferTo(columns: readonly string[], columnParameters: readonly string[], direction: Direction,
    { seed, crashL1 = 0, wrapPenalty = 1, scope = "all" }: { seed: number; crashL1?: number; wrapPenalty?: number; scope?: TransferScope }): { model: DeepTuneModel; matched: number } {
    const { inputDim: _unused, ...config } = this.network.config;
    void _unused;
    const fresh = DeepTuneModel.create({ ...config, seed }, columns, columnParameters, direction, crashL1, wrapPenalty);
    const srcIndex = new Map(this.columns.map((c, i) => [c, i]));
    const mapping = columns.map((c) => srcIndex.get(c) ?? -1);
    const matched = mapping.filter((i) => i >= 0).length;
    const src = this.network.model;
    const dst = fresh.network.model;
    for (const layer of dst.layers) {
      if (scope === "crash" && layer.name !== "dt_wide") continue; // only the crash path travels
      const from = src.getLayer(layer.name);
      const srcW = from.getWeights();
      const dstW = layer.getWeights();
      if (srcW.length !== dstW.length) continue;
      // The matrices whose rows are input columns: the first dense kernel and the first RBF layer's
      // projection (found by name: a layer lists its trainable weights before its non-trainable ones).
      const rowsAreColumns = layer.weights.map((w) =>
        ((layer.name === "dt_dense_0" || layer.name === "dt_wide") && /kernel$/.test(w.originalName)) || (layer.name === "dt_rbf_0" && /projection$/.test(w.originalName)));
      const next = dstW.map((d, wi) => {
        const s = srcW[wi];
        if (rowsAreColumns[wi]) {
          const sv = s.dataSync();
          const dv = (d.dataSync() as Float32Array).slice();
          const width = d.shape[1] as number;
          if (s.shape[1] === width) {
            mapping.forEach((si, di) => {
              if (si >= 0) dv.set(sv.subarray(si * width, si * width + width), di * width);
            });
          }
          return tf.tensor(dv, d.shape);
        }
        return s.shape.join("x") === d.shape.join("x") ? s.clone() : d.clone();
      });
      // getWeights() hands out the variables themselves: only the copies made here are disposed.
      layer.setWeights(next);
      next.forEach((t) => t.dispose());
    }
    fresh.network.anchorAtCurrentWeights(mapping.map((i) => i >= 0), { deep: scope === "all" });
    // The sparse crash model's weights travel by column name too, anchored the same way.
    if (fresh.sparseCrash && this.sparseCrash) {
      fresh.sparseCrash.restore(this.sparseCrash.state(), mapping);
      fresh.sparseCrash.anchorAtCurrentWeights(mapping.map((i) => i >= 0));
    }
    fresh.target = { ...this.target, direction };
    return { model: fresh, matched };
  }

  dispose(): void {
    this.network.dispose();
  }
}
