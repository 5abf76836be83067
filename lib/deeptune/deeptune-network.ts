/**
 * The DeepTune network (DTM) on plain numeric matrices: given encoded configurations it predicts the
 * crash probability, the (standardised) performance with a predicted log-variance, and an
 * uncertainty sigma from a branch of Gaussian RBF layers. Training is incremental: `update` runs a few
 * Adam steps on minibatches sampled from the history, warm-starting from the current weights, so the
 * cost per search iteration stays flat as the history grows.
 *
 * Loss = crash binary cross-entropy (all rows)
 *      + Kendall & Gal heteroscedastic loss 0.5 exp(-s)(y - mu)^2 + 0.5 s (non-crashed rows only)
 *      + Chamfer distance between each RBF layer's centroids and the latent points of the batch.
 * Wide path (Cheng et al., "Wide & Deep Learning", 2016): a linear layer from the inputs straight to
 * the crash logit, added to the deep head and kept sparse by a group-lasso penalty over its rows. It
 * only feeds the crash output: on the performance outputs it overfitted (held-out normalised MAE 0.85
 * on the redis pool, against 0.14 without it). The layer has three outputs so that it adds to the head
 * in the saved graph; training masks the gradients of the other two, which stay exactly zero.
 * Crashes in the recorded pools hinge on single parameters crossing a threshold (see the encoder's
 * `#neg32` columns); a linear term learns such an effect from a few dozen rows, where the deep layers,
 * with hundreds of inputs and as many rows, stay near the base rate.
 * The Chamfer term only moves the centroids: letting it pull the latent points too would collapse the
 * features onto the centroids and make sigma small everywhere.
 * Transfer learning anchors the two group-lasso penalties at the source model's weights ("L2-SP",
 * Li et al., ICML 2018, here with group norms): rows of known columns are pulled back towards what the
 * source learned rather than towards zero. Without the anchor a transferred model forgets: its first
 * picks are all safe, so the target history holds no crashes, the penalty shrinks the crash weights it
 * brought, and the crash rate climbs back to the untransferred level (sqlite -> redis: 0.00 in the
 * first 25 iterations, 0.18 in iterations 50-100).
 */
import * as tf from "@tensorflow/tfjs";
import { RbfLayer } from "./rbf-layer";
import { Rng } from "../random";
import { fail } from "../errors";

export interface NetworkConfig {
  inputDim: number;
  /** Widths of the dense layers of the prediction branch (its depth is the length). */
  hidden: number[];
  dropout: number;
  /** Centroids per RBF layer. */
  rbfUnits: number;
  /** Dimension each RBF layer projects its input to. */
  latentDim: number;
  gamma: number;
  learningRate: number;
  /** Group-lasso penalty on the rows of the first dense kernel (most inputs of a pool are irrelevant). */
  weightDecay: number;
  /** Group-lasso penalty on the rows of the wide (linear) path's kernel. */
  wideDecay: number;
  seed: number;
}

export interface TrainingData {
  /** Row-major [rows, inputDim]. */
  x: Float32Array;
  rows: number;
  crashed: ArrayLike<boolean | number>;
  /** Standardised performance; ignored on crashed rows. */
  y: ArrayLike<number>;
}

export interface Predictions {
  crashProbability: Float32Array;
  /** Standardised predicted performance. */
  mean: Float32Array;
  /** Predicted aleatoric log-variance s (Kendall & Gal). */
  logVariance: Float32Array;
  /** Uncertainty from the RBF branch, in [0, 1]: 0 on top of a centroid, 1 far from all of them. */
  sigma: Float32Array;
}

export interface StepStats {
  loss: number;
  crashLoss: number;
  regressionLoss: number;
  chamfer: number;
}

const LOGVAR_CLIP = 8;
const NLL_BETA = 0.5;
const WIDE_LR_FACTOR = 10; // 30 was worse on the redis pool (crash rate 0.21 vs 0.19)

export class DeepTuneNetwork {
  readonly model: tf.LayersModel;
  private readonly dense: tf.layers.Layer[];
  private readonly rbfs: RbfLayer[];
  private readonly head: tf.layers.Layer;
  private readonly wide: tf.layers.Layer;
  private optimizer: tf.Optimizer;
  /** The wide path learns with a larger step: its weights must grow to logits of several units. */
  private wideOptimizer: tf.Optimizer;
  /** The wide path feeds only the first output, the crash logit. */
  private readonly wideMask: tf.Tensor1D;
  /** Where the group-lasso penalties pull the first kernel's and the wide kernel's rows (see header). */
  private anchors: { kernel0: tf.Tensor2D | null; wide: tf.Tensor2D } | null = null;
  private readonly rng: Rng;
  private centroidsInitialised = false;
  private disposed = false;

  private constructor(readonly config: NetworkConfig, model: tf.LayersModel, centroidsInitialised: boolean) {
    this.model = model;
    this.dense = config.hidden.map((_, i) => model.getLayer(`dt_dense_${i}`));
    this.rbfs = config.hidden.map((_, i) => model.getLayer(`dt_rbf_${i}`) as RbfLayer);
    this.head = model.getLayer("dt_head");
    this.wide = model.getLayer("dt_wide");
    this.optimizer = tf.train.adam(config.learningRate);
    this.wideOptimizer = tf.train.adam(config.learningRate * WIDE_LR_FACTOR);
    this.wideMask = tf.tensor1d([1, 0, 0]);
    this.rng = new Rng(config.seed ^ 0x5bd1e995);
    this.centroidsInitialised = centroidsInitialised;
  }

  static validate(config: NetworkConfig): void {
    if (!Number.isInteger(config.inputDim) || config.inputDim < 1) fail(`network input dimension must be a positive integer, got ${config.inputDim}`);
    if (config.hidden.length < 1 || config.hidden.some((w) => !Number.isInteger(w) || w < 1))
      fail(`hidden layer widths must be positive integers (at least one layer), got [${config.hidden.join(", ")}]`);
    if (!(config.dropout >= 0 && config.dropout < 1)) fail(`dropout must be in [0, 1), got ${config.dropout}`);
    if (!(config.gamma > 0) || !Number.isFinite(config.gamma)) fail(`gamma must be a number > 0, got ${config.gamma}`);
    if (!Number.isInteger(config.rbfUnits) || config.rbfUnits < 1) fail(`rbfUnits must be a positive integer, got ${config.rbfUnits}`);
    if (!Number.isInteger(config.latentDim) || config.latentDim < 1) fail(`latentDim must be a positive integer, got ${config.latentDim}`);
    if (!(config.weightDecay >= 0)) fail(`weight decay must be >= 0, got ${config.weightDecay}`);
    if (!(config.wideDecay >= 0)) fail(`wide decay must be >= 0, got ${config.wideDecay}`);
    if (!(config.learningRate > 0)) fail(`learning rate must be > 0, got ${config.learningRate}`);
  }

  /** The functional model: dense/dropout stack with one RBF layer beside each dense layer. */
  static create(config: NetworkConfig): DeepTuneNetwork {
    DeepTuneNetwork.validate(config);
    const input = tf.input({ shape: [config.inputDim], name: "dt_input" });
    let prev: tf.SymbolicTensor = input;
    const sigmas: tf.SymbolicTensor[] = [];
    config.hidden.forEach((width, i) => {
      const rbf = new RbfLayer({ units: config.rbfUnits, latentDim: config.latentDim, gamma: config.gamma, seed: config.seed + 101 * i, name: `dt_rbf_${i}` });
      sigmas.push(rbf.apply(prev) as tf.SymbolicTensor);
      const dense = tf.layers.dense({
        units: width, activation: "relu", name: `dt_dense_${i}`,
        kernelInitializer: tf.initializers.heNormal({ seed: config.seed + 7 * i }),
      });
      const h = dense.apply(prev) as tf.SymbolicTensor;
      prev = tf.layers.dropout({ rate: config.dropout, name: `dt_dropout_${i}`, seed: config.seed + 13 * i }).apply(h) as tf.SymbolicTensor;
    });
    // Outputs: crash logit, performance mean, log-variance.
    const deep = tf.layers.dense({ units: 3, name: "dt_head", kernelInitializer: tf.initializers.glorotNormal({ seed: config.seed + 3 }) })
      .apply(prev) as tf.SymbolicTensor;
    const wide = tf.layers.dense({ units: 3, useBias: false, name: "dt_wide", kernelInitializer: tf.initializers.zeros() })
      .apply(input) as tf.SymbolicTensor;
    const head = tf.layers.add({ name: "dt_head_sum" }).apply([deep, wide]) as tf.SymbolicTensor;
    const sigma = sigmas.length > 1 ? (tf.layers.average({ name: "dt_sigma" }).apply(sigmas) as tf.SymbolicTensor) : sigmas[0];
    const out = tf.layers.concatenate({ name: "dt_output" }).apply([head, sigma]) as tf.SymbolicTensor;
    return new DeepTuneNetwork(config, tf.model({ inputs: input, outputs: out, name: "deeptune" }), false);
  }

  /** Wrap a model loaded from disk (see model-directory.ts). */
  static fromModel(config: NetworkConfig, model: tf.LayersModel): DeepTuneNetwork {
    DeepTuneNetwork.validate(config);
    return new DeepTuneNetwork(config, model, true);
  }

  setGamma(gamma: number): void {
    if (!(gamma > 0)) fail(`gamma must be a number > 0, got ${gamma}`);
    for (const r of this.rbfs) r.gamma = gamma;
  }

  /** Forward pass of the prediction branch; also returns the input of every RBF layer. */
  private forward(x: tf.Tensor2D, training: boolean): { head: tf.Tensor2D; rbfInputs: tf.Tensor2D[] } {
    const rbfInputs: tf.Tensor2D[] = [];
    let prev: tf.Tensor2D = x;
    for (let i = 0; i < this.dense.length; i++) {
      rbfInputs.push(prev);
      const h = this.dense[i].apply(prev) as tf.Tensor2D;
      // Training-time dropout with masks from our seeded generator: tfjs's dropout is either unseeded
      // (runs not reproducible) or, given a seed, draws the same mask at every step.
      prev = training && this.config.dropout > 0 ? h.mul(this.dropoutMask(h.shape[0], h.shape[1])) : h;
    }
    const wideOut = tf.matMul(x, (this.wide.trainableWeights[0].read() as tf.Tensor2D).mul(this.wideMask));
    const head = (this.head.apply(prev) as tf.Tensor2D).add(wideOut) as tf.Tensor2D;
    return { head, rbfInputs };
  }

  private dropoutMask(rows: number, cols: number): tf.Tensor2D {
    const keep = 1 - this.config.dropout;
    const m = new Float32Array(rows * cols);
    for (let i = 0; i < m.length; i++) m[i] = this.rng.next() < keep ? 1 / keep : 0;
    return tf.tensor2d(m, [rows, cols]);
  }

  /**
   * Re-estimate the z-score statistics of each RBF layer's projected input from the given rows (all of
   * the history), and on the first call place the centroids on latent points of random rows.
   */
  refreshLatentStatistics(data: TrainingData): void {
    if (data.rows === 0) return;
    tf.tidy(() => {
      const x = tf.tensor2d(data.x, [data.rows, this.config.inputDim]);
      const { rbfInputs } = this.forward(x, false);
      rbfInputs.forEach((inp, i) => {
        const rbf = this.rbfs[i];
        const p = rbf.project(inp);
        const { mean, variance } = tf.moments(p, 0);
        // A floor on the scale: with one row (or identical rows) the variance is 0.
        const scale = variance.sqrt().maximum(1e-3);
        rbf.mean.write(mean);
        rbf.scale.write(scale);
        if (!this.centroidsInitialised) {
          const z = p.sub(mean).div(scale) as tf.Tensor2D;
          const picks = Array.from({ length: rbf.units }, () => this.rng.int(0, data.rows - 1));
          const noise = tf.randomNormal([rbf.units, rbf.latentDim], 0, 0.05, "float32", this.rng.uint32());
          rbf.centroids.write(tf.gather(z, picks).add(noise));
        }
      });
    });
    this.centroidsInitialised = true;
  }

  /**
   * `steps` Adam steps on minibatches of `batchSize` rows sampled from the data. `mustInclude` row
   * indices (the newest observations) go into every batch so a warm model learns them right away.
   */
  update(data: TrainingData, steps: number, batchSize: number, mustInclude: number[] = []): StepStats {
    if (this.disposed) fail("DeepTune network used after dispose()");
    if (data.rows === 0 || steps <= 0) return { loss: NaN, crashLoss: NaN, regressionLoss: NaN, chamfer: NaN };
    this.refreshLatentStatistics(data);
    const d = this.config.inputDim;
    const b = Math.min(batchSize, data.rows);
    const kernel0 = this.dense[0].trainableWeights[0].read();
    const wideKernel = this.wide.trainableWeights[0].read();
    const predVars = [...this.dense, this.head, this.wide].flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
    const centroidVars = this.rbfs.map((r) => r.centroids.read() as tf.Variable);
    let last: StepStats = { loss: NaN, crashLoss: NaN, regressionLoss: NaN, chamfer: NaN };
    const xb = new Float32Array(b * d);
    const cb = new Float32Array(b);
    const yb = new Float32Array(b);
    const mb = new Float32Array(b);
    for (let step = 0; step < steps; step++) {
      const fixed = mustInclude.slice(0, b);
      for (let j = 0; j < b; j++) {
        const r = j < fixed.length ? fixed[j] : this.rng.int(0, data.rows - 1);
        xb.set(data.x.subarray(r * d, r * d + d), j * d);
        const crashed = Boolean(data.crashed[r]);
        cb[j] = crashed ? 1 : 0;
        mb[j] = crashed || !Number.isFinite(data.y[r]) ? 0 : 1;
        yb[j] = mb[j] ? data.y[r] : 0;
      }
      const stats = tf.tidy(() => {
        const x = tf.tensor2d(xb, [b, d]);
        const c = tf.tensor2d(cb, [b, 1]);
        const y = tf.tensor2d(yb, [b, 1]);
        const m = tf.tensor2d(mb, [b, 1]);
        const nOk = Math.max(1, mb.reduce((s, v) => s + v, 0));
        let crashLoss!: tf.Scalar, regLoss!: tf.Scalar, chamfer!: tf.Scalar;
        // One pass without gradient recording gives two constants:
        // - beta-NLL weights (Seitzer et al., ICLR 2022): each row's Kendall & Gal term is scaled by its
        //   predicted variance^0.5. Plain NLL lets the network explain residuals away with a large
        //   variance, and the mean then learns very slowly;
        // - the latent points the Chamfer term compares the centroids with, so that term moves only the
        //   centroids (pulling the points would collapse the features and make sigma small everywhere).
        const pre = this.forward(x, false);
        const weight = pre.head.slice([0, 2], [-1, 1]).clipByValue(-LOGVAR_CLIP, LOGVAR_CLIP).mul(NLL_BETA).exp();
        const latents = pre.rbfInputs.map((inp, i) => this.rbfs[i].latent(inp));
        const main = tf.variableGrads(() => {
          const { head } = this.forward(x, true);
          const [logit, mu, s0] = tf.split(head, 3, 1);
          const s = s0.clipByValue(-LOGVAR_CLIP, LOGVAR_CLIP);
          const bce = tf.losses.sigmoidCrossEntropy(c, logit) as tf.Scalar;
          const reg = y.sub(mu).square().mul(s.neg().exp()).mul(0.5).add(s.mul(0.5)).mul(m).mul(weight).sum().div(nOk) as tf.Scalar;
          // Group lasso over the rows of the first kernel: one group per input column, so columns that
          // do not help are switched off as a whole (a pool has hundreds of columns, few of which matter).
          const groupLasso = (k: tf.Tensor, weight: number) => (weight > 0 ? k.square().sum(1).add(1e-8).sqrt().sum().mul(weight) : tf.scalar(0));
          const a = this.anchors;
          const decay = groupLasso(a?.kernel0 ? kernel0.sub(a.kernel0) : kernel0, this.config.weightDecay)
            .add(groupLasso(a ? wideKernel.sub(a.wide) : wideKernel, this.config.wideDecay));
          let cham = tf.scalar(0);
          latents.forEach((z, i) => {
            const d2 = RbfLayer.sqDistances(z, this.rbfs[i].centroids.read() as tf.Tensor2D);
            cham = cham.add(d2.min(1).mean().add(d2.min(0).mean()));
          });
          // Kept out of variableGrads' own tidy for the statistics; disposed below.
          crashLoss = tf.keep(bce);
          regLoss = tf.keep(reg);
          chamfer = tf.keep(cham as tf.Scalar);
          return bce.add(reg).add(decay).add(cham) as tf.Scalar;
        }, [...predVars, ...centroidVars]);
        const wideName = (wideKernel as tf.Variable).name;
        const { [wideName]: wideGrad, ...deepGrads } = main.grads;
        this.optimizer.applyGradients(deepGrads);
        this.wideOptimizer.applyGradients({ [wideName]: wideGrad });
        const out = tf.stack([main.value, crashLoss, regLoss, chamfer]);
        tf.dispose([crashLoss, regLoss, chamfer]);
        return out;
      });
      if (step === steps - 1) {
        const v = stats.dataSync();
        last = { loss: v[0], crashLoss: v[1], regressionLoss: v[2], chamfer: v[3] };
      }
      stats.dispose();
    }
    return last;
  }

  /** Batched inference (explicit batch size: the default of 32 is ~10x slower on wasm). */
  predict(x: Float32Array, rows: number, batchSize = 1024): Predictions {
    if (this.disposed) fail("DeepTune network used after dispose()");
    const out = { crashProbability: new Float32Array(rows), mean: new Float32Array(rows), logVariance: new Float32Array(rows), sigma: new Float32Array(rows) };
    if (rows === 0) return out;
    const d = this.config.inputDim;
    if (x.length !== rows * d) fail(`predict: expected ${rows} x ${d} values, got ${x.length}`);
    const v = tf.tidy(() => {
      const t = this.model.predict(tf.tensor2d(x, [rows, d]), { batchSize }) as tf.Tensor2D;
      return t.dataSync() as Float32Array;
    });
    for (let i = 0; i < rows; i++) {
      out.crashProbability[i] = 1 / (1 + Math.exp(-v[4 * i]));
      out.mean[i] = v[4 * i + 1];
      out.logVariance[i] = Math.max(-LOGVAR_CLIP, Math.min(LOGVAR_CLIP, v[4 * i + 2]));
      out.sigma[i] = v[4 * i + 3];
    }
    return out;
  }

  /**
   * Anchor the group-lasso penalties at the current weights, for the input columns marked as known
   * (transferred); unknown columns keep the plain penalty towards zero. `deep: false` anchors only the
   * wide (crash) path, for a model whose deep layers start fresh (transfer scope "crash").
   */
  anchorAtCurrentWeights(known: readonly boolean[], { deep = true }: { deep?: boolean } = {}): void {
    if (known.length !== this.config.inputDim) fail(`anchorAtCurrentWeights: ${known.length} flags for ${this.config.inputDim} input columns`);
    this.clearAnchors();
    const mask = tf.tensor2d(known.map((k) => (k ? 1 : 0)), [known.length, 1]);
    this.anchors = {
      kernel0: deep ? (tf.keep(this.dense[0].trainableWeights[0].read().mul(mask)) as tf.Tensor2D) : null,
      wide: tf.keep(this.wide.trainableWeights[0].read().mul(mask)) as tf.Tensor2D,
    };
    mask.dispose();
  }

  private clearAnchors(): void {
    if (this.anchors) tf.dispose([this.anchors.wide, ...(this.anchors.kernel0 ? [this.anchors.kernel0] : [])]);
    this.anchors = null;
  }

  /** Layers by role, for weight surgery in transfer learning. */
  get firstDense(): tf.layers.Layer {
    return this.dense[0];
  }
  get rbfLayers(): RbfLayer[] {
    return this.rbfs;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.optimizer.dispose();
    this.wideOptimizer.dispose();
    this.wideMask.dispose();
    this.clearAnchors();
    this.model.dispose();
  }
}
