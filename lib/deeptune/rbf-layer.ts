/**
 * One Gaussian RBF layer of DeepTune's uncertainty branch. It sits beside a dense layer and sees that
 * layer's input; its output is the layer's uncertainty, 1 - max_j exp(-d(z, c_j)^2 / (2 gamma^2)),
 * where z is the input projected to a few dimensions and z-scored, c_j are learned centroids and
 * d^2 is the mean squared difference per latent dimension.
 *
 * Why project and normalise: Gaussian units with gamma = 0.1 on raw 128-d ReLU activations underflow
 * to zero for every input, so the "uncertainty" is a constant (deeptune.md's measured trap). A fixed
 * random projection to `latentDim` dimensions keeps distances (Johnson-Lindenstrauss), and z-scoring
 * each latent dimension with statistics of the training rows makes gamma mean the same thing
 * ("gamma = 0.1 if inputs are z-score normalised") whatever the width or depth of the network. The
 * statistics are non-trainable weights, refreshed by the trainer, so they are saved with the model.
 */
import * as tf from "@tensorflow/tfjs";

export interface RbfLayerArgs {
  /** Number of centroids. */
  units: number;
  /** Dimension of the projected latent space. */
  latentDim: number;
  gamma: number;
  /** Seed of the fixed random projection. */
  seed: number;
  name?: string;
  /** Input size; only needed when the layer is built outside a model. */
  inputDim?: number;
}

export class RbfLayer extends tf.layers.Layer {
  static readonly className = "WayfinderRbf";
  readonly units: number;
  readonly latentDim: number;
  gamma: number;
  readonly seed: number;
  projection!: tf.LayerVariable;
  mean!: tf.LayerVariable;
  scale!: tf.LayerVariable;
  centroids!: tf.LayerVariable;

  constructor(args: RbfLayerArgs) {
    super({ name: args.name, ...(args.inputDim ? { inputShape: [args.inputDim] } : {}) });
    this.units = args.units;
    this.latentDim = args.latentDim;
    this.gamma = args.gamma;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inDim = shape[shape.length - 1] as number;
    // N(0, 1/latentDim) entries: the projection of a z-scored input has roughly unit-variance coordinates.
    this.projection = this.addWeight("projection", [inDim, this.latentDim], "float32",
      tf.initializers.randomNormal({ mean: 0, stddev: 1 / Math.sqrt(this.latentDim), seed: this.seed }), undefined, false);
    this.mean = this.addWeight("latent_mean", [this.latentDim], "float32", tf.initializers.zeros(), undefined, false);
    this.scale = this.addWeight("latent_scale", [this.latentDim], "float32", tf.initializers.ones(), undefined, false);
    this.centroids = this.addWeight("centroids", [this.units, this.latentDim], "float32",
      tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: this.seed + 1 }), undefined, true);
    this.built = true;
  }

  /** The projected, z-scored latent points of a batch (what the centroids live among). */
  latent(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => tf.matMul(x as tf.Tensor2D, this.projection.read() as tf.Tensor2D)
      .sub(this.mean.read()).div(this.scale.read()) as tf.Tensor2D);
  }

  /** The raw projection, before normalisation (the trainer computes the statistics from it). */
  project(x: tf.Tensor): tf.Tensor2D {
    return tf.matMul(x as tf.Tensor2D, this.projection.read() as tf.Tensor2D);
  }

  /** Mean squared difference per dimension between each latent point and each centroid: [n, units]. */
  static sqDistances(z: tf.Tensor2D, c: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const zz = z.square().sum(1, true);
      const cc = c.square().sum(1).reshape([1, -1]);
      const cross = tf.matMul(z, c, false, true);
      return zz.add(cc).sub(cross.mul(2)).relu().div(z.shape[1]) as tf.Tensor2D;
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const d2 = RbfLayer.sqDistances(this.latent(x), this.centroids.read() as tf.Tensor2D);
      const nearest = d2.min(1, true);
      return tf.scalar(1).sub(nearest.div(-2 * this.gamma * this.gamma).exp());
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0], 1];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, latentDim: this.latentDim, gamma: this.gamma, seed: this.seed };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls(config as unknown as RbfLayerArgs) as T;
  }
}

tf.serialization.registerClass(RbfLayer);
