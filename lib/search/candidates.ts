/**
 * Book-keeping shared by the searchers: which configurations have been told or proposed (never propose
 * them again), and, in replay, which pool members are still available.
 */
import type { Space } from "../space/space";
import type { Config } from "./searcher";

export class Candidates {
  private readonly taken = new Set<string>();
  /** Distinct pool members in pool order (first occurrence wins), or null in a live space. */
  readonly pool: Config[] | null;
  private readonly poolKeys: string[];

  constructor(
    readonly space: Space,
    pool?: readonly Config[],
  ) {
    if (pool) {
      const seen = new Set<string>();
      this.pool = [];
      this.poolKeys = [];
      for (const c of pool) {
        const k = space.key(c);
        if (seen.has(k)) continue;
        seen.add(k);
        this.pool.push(c);
        this.poolKeys.push(k);
      }
    } else {
      this.pool = null;
      this.poolKeys = [];
    }
  }

  key(config: Config): string {
    return this.space.key(config);
  }

  isTaken(config: Config): boolean {
    return this.taken.has(this.space.key(config));
  }

  isTakenKey(key: string): boolean {
    return this.taken.has(key);
  }

  take(config: Config): void {
    this.taken.add(this.space.key(config));
  }

  get takenCount(): number {
    return this.taken.size;
  }

  /** Indexes (into `pool`) of members not yet taken. */
  remainingPoolIndexes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.poolKeys.length; i++) if (!this.taken.has(this.poolKeys[i])) out.push(i);
    return out;
  }
}
