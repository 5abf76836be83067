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
  bin: Uint16Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf value: the mean (regression) or `classes` probabilities per node (classification). */
  value: Float64Array;
  /** Unnormalised impurity decrease per feature, divided by the root's weight. */
  importance: Float64Array;
}

/**
 * Scratch buffers reused across trees so growing allocates almost nothing. The histograms have one slot
 * per bin of the widest feature; `bits` marks the bins a node's rows fell in and `summary` the non-zero
 * words of `bits`, so a scan touches only occupied bins even when a feature has thousands of them.
 */
export class TreeScratch {
  readonly idx: Int32Array;
  readonly hw: Float64Array;
  readonly hs: Float64Array;
  readonly hn: Int32Array;
  readonly bits: Uint32Array;
  readonly summary: Uint32Array;
  readonly order: Int32Array;
  readonly nodeW: Float64Array;
  readonly nodeY: Float64Array;
  readonly leftTotals: Float64Array;
  /** Regression on wide features: their rows kept sorted by code (see SortedColumns); built on first use. */
  sorted?: SortedColumns;
  constructor(rows: number, features: number, classes: number, maxBins: number) {
    this.idx = new Int32Array(rows);
    this.nodeW = new Float64Array(rows);
    this.nodeY = new Float64Array(rows);
    this.leftTotals = new Float64Array(Math.max(1, classes));
    this.hw = new Float64Array(maxBins);
    this.hs = new Float64Array(maxBins * Math.max(1, classes));
    this.hn = new Int32Array(maxBins);
    this.bits = new Uint32Array(Math.ceil(maxBins / 32));
    this.summary = new Uint32Array(Math.ceil(maxBins / 1024));
    this.order = new Int32Array(features);
  }
}

interface Split {
  feature: number;
  bin: number;
  gain: number;
}

/** Features with more bins than this are searched on sorted rows in regression (see SortedColumns). */
const SORTED_MIN_BINS = 64;

/**
 * For regression on wide columns (a distinct value per row, typical of numeric kernel parameters), a
 * histogram costs several scattered writes per row and node. Instead each wide feature keeps the node's
 * rows sorted by code, as scikit-learn once presorted: the split search is then one sequential pass over
 * them, and after each split every list is partitioned stably so both children stay sorted. The lists
 * share the node's [start, end) range with `idx`. Same candidates in the same order as the histogram.
 */
class SortedColumns {
  /** slot[f]: index of feature f's list, or -1 for a narrow feature. */
  readonly slot: Int32Array;
  readonly features: number[] = [];
  /** Per wide feature, all rows sorted by code (computed once per matrix). */
  private readonly allRows: Int32Array[] = [];
  /** Per wide feature, the current tree's in-bag rows, node ranges sorted by code. */
  readonly lists: Int32Array[] = [];
  readonly tmp: Int32Array;
  readonly rowW: Float64Array;
  readonly rowWY: Float64Array;

  constructor(readonly data: BinnedMatrix) {
    const n = data.rows;
    this.slot = new Int32Array(data.codes.length).fill(-1);
    this.tmp = new Int32Array(n);
    this.rowW = new Float64Array(n);
    this.rowWY = new Float64Array(n);
    data.codes.forEach((col, f) => {
      const bins = data.bins[f]!;
      if (bins <= SORTED_MIN_BINS) return;
      // counting sort by code: rows of equal code keep their order
      const start = new Int32Array(bins + 1);
      for (let r = 0; r < n; r++) start[col[r]! + 1]++;
      for (let b = 0; b < bins; b++) start[b + 1] += start[b]!;
      const rows = new Int32Array(n);
      for (let r = 0; r < n; r++) rows[start[col[r]!]!++] = r;
      this.slot[f] = this.features.length;
      this.features.push(f);
      this.allRows.push(rows);
      this.lists.push(new Int32Array(n));
    });
  }

  /** Start a tree: its in-bag rows in each list, and each row's weight and weight * target. */
  begin(weight: Float64Array, y: Float64Array): void {
    for (let r = 0; r < weight.length; r++) {
      this.rowW[r] = weight[r]!;
      this.rowWY[r] = weight[r]! * y[r]!;
    }
    this.allRows.forEach((rows, k) => {
      const list = this.lists[k]!;
      let m = 0;
      for (let i = 0; i < rows.length; i++) if (weight[rows[i]!]! > 0) list[m++] = rows[i]!;
    });
  }

  /** After a split on `col` at `bin`: rows going left first in every list, each side still sorted. */
  partition(col: Uint16Array, bin: number, start: number, end: number): void {
    const tmp = this.tmp;
    for (const list of this.lists) {
      let li = start;
      let ri = 0;
      for (let i = start; i < end; i++) {
        const r = list[i]!;
        // written to both places, kept in one: no unpredictable branch
        const left = col[r]! <= bin ? 1 : 0;
        list[li] = r;
        tmp[ri] = r;
        li += left;
        ri += 1 - left;
      }
      list.set(tmp.subarray(0, ri), li);
    }
  }
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
  let sorted: SortedColumns | undefined;
  if (K === 0) {
    if (scratch.sorted?.data !== data) scratch.sorted = new SortedColumns(data);
    sorted = scratch.sorted;
    if (sorted.features.length === 0) sorted = undefined;
    else sorted.begin(weight, y);
  }

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
    // Like scikit-learn (best improvement starts at -infinity), an impure node takes its best valid split
    // even when that split improves nothing; such a split adds nothing to the importance.
    const best: Split = { feature: -1, bin: 0, gain: -Infinity };
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
      const words = Math.ceil(bins[f] / 1024);
      const slot = sorted ? sorted.slot[f]! : -1;
      if (slot >= 0) sortedRegressionSplit(codes[f], f, sorted!.lists[slot]!, start, end, W, totals[0], parentScore, tolerance, opts.minSamplesLeaf, sorted!, best);
      else if (K === 0 && bins[f] === 2) binaryRegressionSplit(codes[f], f, start, end, W, totals[0], parentScore, tolerance, opts.minSamplesLeaf, scratch, best);
      else if (K === 0) regressionSplit(codes[f], f, words, start, end, W, totals[0], parentScore, tolerance, opts.minSamplesLeaf, scratch, best);
      else classificationSplit(codes[f], f, words, K, start, end, W, totals, parentScore, tolerance, opts.minSamplesLeaf, scratch, best);
    }
    // scikit-learn also turns a node into a leaf when its best split makes things worse (beyond rounding)
    if (best.feature < 0 || best.gain < -tolerance) continue;

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
    // the sorted lists matter only to children that may split again
    if (sorted && (a - start >= opts.minSamplesSplit || end - a >= opts.minSamplesSplit)) sorted.partition(col, best.bin, start, end);
    if (best.gain > 0) importance[best.feature] += best.gain;
    feature[node] = best.feature;
    binAt[node] = thresholdBin(data, best.feature, best.bin, a, end, idx);
    const l = newNode();
    const r = newNode();
    left[node] = l;
    right[node] = r;
    stack.push(r, a, end, depth + 1, l, start, a, depth + 1);
  }
  if (rootWeight > 0) for (let f = 0; f < p; f++) importance[f] /= rootWeight;
  return {
    feature: Int32Array.from(feature),
    bin: Uint16Array.from(binAt),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    importance,
  };
}

/**
 * The bin a row must not exceed to go left, for rows whose value the node never saw (out-of-bag rows,
 * new data). The node's rows are split between its last occupied bin on the left (`bin`) and its first
 * occupied bin on the right; like scikit-learn, the threshold is the midpoint of the two values there,
 * so an unseen value goes left exactly when it is at most that midpoint. Rows the node did see go the
 * same way whichever bin in between is chosen. `idx[from, end)` are the node's right-hand rows.
 */
function thresholdBin(data: BinnedMatrix, f: number, bin: number, from: number, end: number, idx: Int32Array): number {
  const col = data.codes[f];
  let next = data.bins[f];
  for (let i = from; i < end; i++) if (col[idx[i]] < next) next = col[idx[i]];
  const highs = data.highs[f];
  const threshold = highs[bin] / 2 + data.lows[f][next] / 2;
  // the last bin whose values are all <= threshold (bins bin..next-1 are the candidates)
  let lo = bin;
  let hi = next - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (highs[mid] <= threshold) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Histogram of one feature over the node's rows. Each occupied bin sets its bit in `bits` and the bit of
 * that word in `summary`; the scans below walk the summary, then the words, then the bits, so they visit
 * occupied bins in increasing order without sorting or clearing the whole histogram, and zero every
 * slot behind them so the histograms are empty again for the next feature.
 */
function fillHistogram(col: Uint16Array, start: number, end: number, width: number, classes: boolean, s: TreeScratch): void {
  const { idx, hw, hs, hn, bits, summary, nodeW, nodeY } = s;
  if (!classes)
    for (let i = start, q = 0; i < end; i++, q++) {
      const c = col[idx[i]];
      hw[c] += nodeW[q];
      hs[c] += nodeY[q];
      hn[c]++;
      bits[c >>> 5] |= 1 << (c & 31);
      summary[c >>> 10] |= 1 << ((c >>> 5) & 31);
    }
  else
    for (let i = start, q = 0; i < end; i++, q++) {
      const c = col[idx[i]];
      hw[c] += nodeW[q];
      hs[c * width + nodeY[q]] += nodeW[q];
      hn[c]++;
      bits[c >>> 5] |= 1 << (c & 31);
      summary[c >>> 10] |= 1 << ((c >>> 5) & 31);
    }
}

// Regression: maximising sumL^2/wL + sumR^2/wR is minimising the children's weighted squared error;
// its excess over sum^2/W is exactly the weighted impurity decrease.
function regressionSplit(
  col: Uint16Array, f: number, words: number, start: number, end: number, W: number, S: number,
  parentScore: number, tolerance: number, minLeaf: number, s: TreeScratch, best: Split,
): void {
  fillHistogram(col, start, end, 1, false, s);
  const { hw, hs, hn, bits, summary } = s;
  const count = end - start;
  let wl = 0;
  let sl = 0;
  let nl = 0;
  for (let top = 0; top < words; top++) {
    let y = summary[top];
    summary[top] = 0;
    while (y !== 0) {
      const lowWord = y & -y;
      y ^= lowWord;
      const word = (top << 5) | (31 - Math.clz32(lowWord));
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
}

// A wide column in regression: one pass over the node's rows in code order; a candidate wherever the code
// changes, exactly the candidates of the histogram scan, in the same order.
function sortedRegressionSplit(
  col: Uint16Array, f: number, list: Int32Array, start: number, end: number, W: number, S: number,
  parentScore: number, tolerance: number, minLeaf: number, sc: SortedColumns, best: Split,
): void {
  const { rowW, rowWY } = sc;
  const count = end - start;
  let wl = 0;
  let sl = 0;
  let cur = col[list[start]!]!;
  for (let i = start; i < end - 1; i++) {
    const r = list[i]!;
    wl += rowW[r]!;
    sl += rowWY[r]!;
    const next = col[list[i + 1]!]!;
    if (next === cur) continue;
    const nl = i - start + 1;
    if (nl >= minLeaf && count - nl >= minLeaf) {
      const wr = W - wl;
      const sr = S - sl;
      const gain = (sl * sl) / wl + (sr * sr) / wr - parentScore;
      if (gain > best.gain + tolerance) {
        best.feature = f;
        best.bin = cur;
        best.gain = gain;
      }
    }
    cur = next;
  }
}

// A two-valued column (most one-hot columns) has one candidate threshold: sum the rows with code 0
// directly, without the histogram. Same arithmetic as regressionSplit, about a third of the time.
function binaryRegressionSplit(
  col: Uint16Array, f: number, start: number, end: number, W: number, S: number,
  parentScore: number, tolerance: number, minLeaf: number, s: TreeScratch, best: Split,
): void {
  const { idx, nodeW, nodeY } = s;
  let wr = 0;
  let sr = 0;
  let nr = 0;
  // codes are 0 or 1, so multiplying by the code selects the right-hand rows without a branch
  for (let i = start, q = 0; i < end; i++, q++) {
    const c = col[idx[i]];
    wr += c * nodeW[q];
    sr += c * nodeY[q];
    nr += c;
  }
  const nl = end - start - nr;
  if (nr === 0 || nl === 0 || nl < minLeaf || nr < minLeaf) return;
  const wl = W - wr;
  const sl = S - sr;
  const gain = (sl * sl) / wl + (sr * sr) / wr - parentScore;
  if (gain > best.gain + tolerance) {
    best.feature = f;
    best.bin = 0;
    best.gain = gain;
  }
}

// Classification: maximising sum_k cL_k^2/wL + sum_k cR_k^2/wR is minimising the children's weighted Gini.
function classificationSplit(
  col: Uint16Array, f: number, words: number, K: number, start: number, end: number, W: number, totals: Float64Array,
  parentScore: number, tolerance: number, minLeaf: number, s: TreeScratch, best: Split,
): void {
  fillHistogram(col, start, end, K, true, s);
  const { hw, hs, hn, bits, summary, leftTotals } = s;
  const count = end - start;
  leftTotals.fill(0);
  let wl = 0;
  let nl = 0;
  for (let top = 0; top < words; top++) {
    let y = summary[top];
    summary[top] = 0;
    while (y !== 0) {
      const lowWord = y & -y;
      y ^= lowWord;
      const word = (top << 5) | (31 - Math.clz32(lowWord));
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
}

/** The leaf a row reaches; `swapFeature`/`swapRow` read that one feature from another row (permutation importance). */
export function leafOf(tree: Tree, codes: Uint16Array[], row: number, swapFeature = -1, swapRow = -1): number {
  let node = 0;
  let f = tree.feature[0];
  while (f >= 0) {
    const r = f === swapFeature ? swapRow : row;
    node = codes[f][r] <= tree.bin[node] ? tree.left[node] : tree.right[node];
    f = tree.feature[node];
  }
  return node;
}
