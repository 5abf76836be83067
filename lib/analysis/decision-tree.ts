/**
 * One CART tree grown on a binned matrix with integer sample weights (bootstrap counts), as scikit-learn
 * grows the trees of a random forest: best split over a random subset of features at each node, mean
 * squared error (regression) or Gini (classification), grown until the leaves are pure or hold fewer than
 * `minSamplesSplit` distinct samples. While growing it adds each split's weighted impurity decrease to the
 * split feature, which is the "mean decrease in impurity" importance.
 */
import type { BinnedMatrix } from "./binned-matrix";
import type { Rng } from "../random";

export interface TreeOptions {
  /** Number of features tried at each node. */
  maxFeatures: number;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** 0 for regression, else the number of classes (labels 0..classes-1). */
  classes: number;
}

/** A fitted tree in flat arrays; node 0 is the root, feature -1 marks a leaf. */
export interface Tree {
  feature: Int32Array;
  /** A row goes left when its code for `feature` is <= bin. */
  bin: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf value: the mean (regression) or `classes` probabilities per node (classification). */
  value: Float64Array;
  /** Unnormalised impurity decrease per feature, divided by the root's weight. */
  importance: Float64Array;
}

/** Scratch buffers reused across trees so growing allocates almost nothing. */
export class TreeScratch {
  readonly idx: Int32Array;
  readonly hw: Float64Array;
  readonly hs: Float64Array;
  readonly hn: Int32Array;
  readonly bits: Uint32Array;
  readonly order: Int32Array;
  readonly nodeW: Float64Array;
  readonly nodeY: Float64Array;
  readonly leftTotals: Float64Array;
  constructor(rows: number, features: number, classes: number) {
    this.idx = new Int32Array(rows);
    this.nodeW = new Float64Array(rows);
    this.nodeY = new Float64Array(rows);
    this.leftTotals = new Float64Array(Math.max(1, classes));
    const width = 256 * Math.max(1, classes);
    this.hw = new Float64Array(256);
    this.hs = new Float64Array(width);
    this.hn = new Int32Array(256);
    this.bits = new Uint32Array(8);
    this.order = new Int32Array(features);
  }
}

interface Split {
  feature: number;
  bin: number;
  gain: number;
}

export function growTree(
  data: BinnedMatrix,
  y: Float64Array,
  weight: Float64Array,
  opts: TreeOptions,
  rng: Rng,
  scratch: TreeScratch,
): Tree {
  const { codes, bins } = data;
  const p = codes.length;
  const K = opts.classes;
  const width = Math.max(1, K);
  const { idx, order, nodeW, nodeY } = scratch;
  let m = 0;
  for (let i = 0; i < weight.length; i++) if (weight[i] > 0) idx[m++] = i;
  for (let f = 0; f < p; f++) order[f] = f;

  const feature: number[] = [];
  const binAt: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const importance = new Float64Array(p);
  const totals = new Float64Array(width);

  const newNode = (): number => {
    feature.push(-1);
    binAt.push(0);
    left.push(-1);
    right.push(-1);
    for (let k = 0; k < width; k++) value.push(0);
    return feature.length - 1;
  };

  let rootWeight = 0;
  const stack: number[] = [newNode(), 0, m, 0];
  while (stack.length > 0) {
    const depth = stack.pop()!;
    const end = stack.pop()!;
    const start = stack.pop()!;
    const node = stack.pop()!;

    // node totals, leaf value and purity
    totals.fill(0);
    let W = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end; i++) {
      const s = idx[i];
      const w = weight[s];
      W += w;
      if (K === 0) totals[0] += w * y[s];
      else totals[y[s]] += w;
      if (y[s] < lo) lo = y[s];
      if (y[s] > hi) hi = y[s];
    }
    if (node === 0) rootWeight = W;
    for (let k = 0; k < width; k++) value[node * width + k] = totals[k] / W;
    const count = end - start;
    if (lo === hi || count < opts.minSamplesSplit || count < 2 * opts.minSamplesLeaf || depth >= opts.maxDepth) continue;

    let parentScore = 0;
    for (let k = 0; k < width; k++) parentScore += (totals[k] * totals[k]) / W;
    const best: Split = { feature: -1, bin: 0, gain: 0 };
    const tolerance = 1e-12 * Math.abs(parentScore);

    // gather the node's weights and targets contiguously: the per-feature loops below then read memory in order
    for (let i = start, q = 0; i < end; i++, q++) {
      const s = idx[i];
      nodeW[q] = weight[s];
      nodeY[q] = K === 0 ? weight[s] * y[s] : y[s];
    }
    // Visit features in a fresh random order so ties between equally good splits are broken at random
    // (as scikit-learn does); stop after maxFeatures features.
    for (let t = 0; t < opts.maxFeatures; t++) {
      const j = t + Math.floor(rng.next() * (p - t));
      const f = order[j];
      order[j] = order[t];
      order[t] = f;
      if (bins[f] < 2) continue;
      if (K === 0) regressionSplit(codes[f], f, start, end, W, totals[0], parentScore, tolerance, opts.minSamplesLeaf, scratch, best);
      else classificationSplit(codes[f], f, K, start, end, W, totals, parentScore, tolerance, opts.minSamplesLeaf, scratch, best);
    }
    if (best.feature < 0) continue;

    // partition idx[start, end) so rows going left come first
    const col = codes[best.feature];
    let a = start;
    let b = end - 1;
    while (a <= b) {
      if (col[idx[a]] <= best.bin) a++;
      else {
        const tmp = idx[a];
        idx[a] = idx[b];
        idx[b] = tmp;
        b--;
      }
    }
    importance[best.feature] += best.gain;
    feature[node] = best.feature;
    binAt[node] = best.bin;
    const l = newNode();
    const r = newNode();
    left[node] = l;
    right[node] = r;
    stack.push(r, a, end, depth + 1, l, start, a, depth + 1);
  }
  if (rootWeight > 0) for (let f = 0; f < p; f++) importance[f] /= rootWeight;
  return {
    feature: Int32Array.from(feature),
    bin: Uint8Array.from(binAt),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    importance,
  };
}

/**
 * Histogram of one feature over the node's rows, with a 256-bit map of the bins that received rows so the
 * scan visits only those, in order, without sorting or clearing all 256 bins. The scans read each bin
 * once and zero it behind them, leaving the histograms empty for the next feature.
 */
function fillHistogram(col: Uint8Array, start: number, end: number, width: number, classes: boolean, s: TreeScratch): void {
  const { idx, hw, hs, hn, bits, nodeW, nodeY } = s;
  if (!classes)
    for (let i = start, q = 0; i < end; i++, q++) {
      const c = col[idx[i]];
      hw[c] += nodeW[q];
      hs[c] += nodeY[q];
      hn[c]++;
      bits[c >>> 5] |= 1 << (c & 31);
    }
  else
    for (let i = start, q = 0; i < end; i++, q++) {
      const c = col[idx[i]];
      hw[c] += nodeW[q];
      hs[c * width + nodeY[q]] += nodeW[q];
      hn[c]++;
      bits[c >>> 5] |= 1 << (c & 31);
    }
}

// Regression: maximising sumL^2/wL + sumR^2/wR is minimising the children's weighted squared error;
// its excess over sum^2/W is exactly the weighted impurity decrease.
function regressionSplit(
  col: Uint8Array, f: number, start: number, end: number, W: number, S: number,
  parentScore: number, tolerance: number, minLeaf: number, s: TreeScratch, best: Split,
): void {
  fillHistogram(col, start, end, 1, false, s);
  const { hw, hs, hn, bits } = s;
  const count = end - start;
  let wl = 0;
  let sl = 0;
  let nl = 0;
  for (let word = 0; word < 8; word++) {
    let x = bits[word];
    bits[word] = 0;
    while (x !== 0) {
      const low = x & -x;
      x ^= low;
      const c = (word << 5) | (31 - Math.clz32(low));
      wl += hw[c];
      sl += hs[c];
      nl += hn[c];
      hw[c] = 0;
      hs[c] = 0;
      hn[c] = 0;
      const nr = count - nl;
      if (nr === 0 || nl < minLeaf || nr < minLeaf) continue;
      const wr = W - wl;
      const sr = S - sl;
      const gain = (sl * sl) / wl + (sr * sr) / wr - parentScore;
      if (gain > best.gain + tolerance) {
        best.feature = f;
        best.bin = c;
        best.gain = gain;
      }
    }
  }
}

// Classification: maximising sum_k cL_k^2/wL + sum_k cR_k^2/wR is minimising the children's weighted Gini.
function classificationSplit(
  col: Uint8Array, f: number, K: number, start: number, end: number, W: number, totals: Float64Array,
  parentScore: number, tolerance: number, minLeaf: number, s: TreeScratch, best: Split,
): void {
  fillHistogram(col, start, end, K, true, s);
  const { hw, hs, hn, bits, leftTotals } = s;
  const count = end - start;
  leftTotals.fill(0);
  let wl = 0;
  let nl = 0;
  for (let word = 0; word < 8; word++) {
    let x = bits[word];
    bits[word] = 0;
    while (x !== 0) {
      const low = x & -x;
      x ^= low;
      const c = (word << 5) | (31 - Math.clz32(low));
      wl += hw[c];
      nl += hn[c];
      for (let k = 0; k < K; k++) {
        leftTotals[k] += hs[c * K + k];
        hs[c * K + k] = 0;
      }
      hw[c] = 0;
      hn[c] = 0;
      const nr = count - nl;
      if (nr === 0 || nl < minLeaf || nr < minLeaf) continue;
      const wr = W - wl;
      let score = 0;
      for (let k = 0; k < K; k++) {
        const l = leftTotals[k];
        const r = totals[k] - l;
        score += (l * l) / wl + (r * r) / wr;
      }
      const gain = score - parentScore;
      if (gain > best.gain + tolerance) {
        best.feature = f;
        best.bin = c;
        best.gain = gain;
      }
    }
  }
}

/** The leaf a row reaches; `swapFeature`/`swapRow` read that one feature from another row (permutation importance). */
export function leafOf(tree: Tree, codes: Uint8Array[], row: number, swapFeature = -1, swapRow = -1): number {
  let node = 0;
  let f = tree.feature[0];
  while (f >= 0) {
    const r = f === swapFeature ? swapRow : row;
    node = codes[f][r] <= tree.bin[node] ? tree.left[node] : tree.right[node];
    f = tree.feature[node];
  }
  return node;
}
