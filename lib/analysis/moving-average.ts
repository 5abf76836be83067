/**
 * Centred moving average with mirror padding, the smoothing of the paper's Fig. 6: each point becomes the
 * mean of the `window` points centred on it; near the ends the series is reflected (without repeating the
 * end point, like numpy's pad mode "reflect") so the curve keeps its length and its ends are not pulled
 * towards zero. An even window puts one more point after the centre than before it.
 */
import { fail } from "../errors";

export function centredMovingAverage(values: ArrayLike<number>, window: number): number[] {
  const n = values.length;
  if (!Number.isInteger(window) || window < 1) fail(`smoothing window ${JSON.stringify(window)} is invalid; use an integer >= 1`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(values[i])) fail(`cannot smooth: value ${i} is ${values[i]}; expected finite numbers`);
  if (n === 0 || window === 1) return Array.from(values);
  const before = Math.floor((window - 1) / 2);
  const after = window - 1 - before;
  // reflect index i into [0, n): ... 2 1 | 0 1 2 ... n-1 | n-2 n-3 ...
  const at = (i: number): number => {
    if (n === 1) return values[0];
    const period = 2 * (n - 1);
    let k = ((i % period) + period) % period;
    if (k >= n) k = period - k;
    return values[k];
  };
  const out = new Array<number>(n);
  let sum = 0;
  for (let j = -before; j <= after; j++) sum += at(j);
  for (let i = 0; i < n; i++) {
    out[i] = sum / window;
    sum += at(i + after + 1) - at(i - before);
  }
  return out;
}
