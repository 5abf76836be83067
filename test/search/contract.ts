/**
 * The contract every searcher must keep, as a reusable node:test suite. Run it on a new searcher with
 *   searcherContract("mine", (options) => createSearcher("mine", options));
 * from a *.test.ts file. Each check would fail for a searcher that breaks the rule it names.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Config, Observation, Outcome, Searcher, SearcherOptions } from "../../lib/search/searcher";
import { createSpace, type Space } from "../../lib/space/space";
import type { Parameter } from "../../lib/space/parameter";

export type SearcherFactory = (options: SearcherOptions) => Searcher | Promise<Searcher>;

/** A small mixed space: categorical, conditional power-of-two integer, log range, pinned switch, unvaried compile phase. */
export function contractSpace(): Space {
  const parameters: Parameter[] = [
    { name: "ALLOCATOR", phase: "compile", type: "choice", values: ["bbuddy", "tinyalloc", "mimalloc"], default: "bbuddy" },
    { name: "TINY_ALIGN", phase: "compile", type: "integer", min: 8, max: 128, power: 2, default: 8, condition: { op: "eq", name: "ALLOCATOR", value: "tinyalloc" } },
    { name: "HZ", phase: "boot", type: "choice", values: [100, 250, 1000], default: 250 },
    { name: "BUF", phase: "runtime", type: "integer", min: 1, max: 1_000_000, scale: "log", default: 4096 },
    { name: "ASLR", phase: "runtime", type: "boolean", default: "y" },
    { name: "DEBUG", phase: "application", type: "tristate", default: "n" },
  ];
  return createSpace(parameters, { fixed: { ASLR: "y" }, vary: ["compile", "boot", "runtime"] });
}

/** A tiny space of 3 x 2 x 2 = 12 points, to test exhaustion. */
export function tinySpace(): Space {
  return createSpace([
    { name: "A", phase: "runtime", type: "choice", values: ["x", "y", "z"] },
    { name: "B", phase: "runtime", type: "boolean" },
    { name: "C", phase: "runtime", type: "integer", min: 0, max: 1 },
  ]);
}

/** A deterministic objective with a crash region (mimalloc at HZ 1000). */
export function contractObjective(c: Config): Outcome {
  if (c.ALLOCATOR === "mimalloc" && String(c.HZ) === "1000") return { ok: false, phase: "boot", evidence: "synthetic crash" };
  const buf = Math.log(Number(c.BUF));
  let v = 100 - (buf - 9) ** 2 + (c.ALLOCATOR === "tinyalloc" ? 5 + Math.log2(Number(c.TINY_ALIGN)) : 0) + Number(c.HZ) / 100;
  if (c.DEBUG !== undefined && c.DEBUG !== "n") v -= 50;
  return { ok: true, value: v };
}

async function drive(s: Searcher, space: Space, iterations: number, outcome: (c: Config) => Outcome, batch = 1): Promise<Config[]> {
  const asked: Config[] = [];
  while (asked.length < iterations) {
    const configs = await s.ask(batch);
    if (configs.length === 0) break;
    asked.push(...configs);
    await s.tell(configs.map((config): Observation => ({ config, outcome: outcome(config) })));
  }
  void space;
  return asked;
}

export function searcherContract(label: string, factory: SearcherFactory, opts: { iterations?: number } = {}): void {
  const iterations = opts.iterations ?? 40;
  describe(`searcher contract: ${label}`, () => {
    test("never proposes a configuration twice, nor one told before it was asked (resume)", async () => {
      const space = contractSpace();
      const s = await factory({ space, direction: "max", seed: 7 });
      const told: Config[] = [
        space.complete({ ALLOCATOR: "tinyalloc", TINY_ALIGN: 32, HZ: 100, BUF: 4096 }),
        space.complete({ ALLOCATOR: "bbuddy", HZ: 1000, BUF: 10 }),
      ];
      await s.tell(told.map((config) => ({ config, outcome: contractObjective(config) })));
      const asked = await drive(s, space, iterations, contractObjective);
      assert.equal(asked.length, iterations);
      const keys = [...told, ...asked].map((c) => space.key(c));
      assert.equal(new Set(keys).size, keys.length, "a configuration was proposed twice");
      s.dispose?.();
    });

    test("honours pinned values, unvaried phases and conditions", async () => {
      const space = contractSpace();
      const s = await factory({ space, direction: "max", seed: 3 });
      const asked = await drive(s, space, iterations, contractObjective);
      for (const c of asked) {
        assert.deepEqual(space.check(c), [], `invalid proposal ${JSON.stringify(c)}`);
        assert.equal(c.ASLR, "y");
        assert.equal(c.DEBUG, "n");
        assert.equal("TINY_ALIGN" in c, c.ALLOCATOR === "tinyalloc");
      }
      s.dispose?.();
    });

    test("the same seed gives the same run; another seed a different one", async () => {
      const space = contractSpace();
      const run = async (seed: number) => {
        const s = await factory({ space, direction: "max", seed });
        const a = await drive(s, space, 25, contractObjective);
        s.dispose?.();
        return a.map((c) => space.key(c));
      };
      const a = await run(11);
      assert.deepEqual(await run(11), a);
      if (label !== "grid") assert.notDeepEqual(await run(12), a);
    });

    test("keeps proposing valid new configurations when everything crashes", async () => {
      const space = contractSpace();
      const s = await factory({ space, direction: "min", seed: 5 });
      const asked = await drive(s, space, iterations, () => ({ ok: false, phase: "build", evidence: "all crash" }));
      assert.equal(asked.length, iterations);
      assert.equal(new Set(asked.map((c) => space.key(c))).size, iterations);
      for (const c of asked) assert.deepEqual(space.check(c), []);
      s.dispose?.();
    });

    test("batch asks return distinct configurations, distinct from earlier batches", async () => {
      const space = contractSpace();
      const s = await factory({ space, direction: "max", seed: 9 });
      const asked = await drive(s, space, 30, contractObjective, 6);
      assert.equal(asked.length, 30);
      assert.equal(new Set(asked.map((c) => space.key(c))).size, 30);
      s.dispose?.();
    });

    test("a small space is exhausted exactly: every point once, then an empty answer", async () => {
      const space = tinySpace();
      const s = await factory({ space, direction: "max", seed: 1 });
      const asked = await drive(s, space, 100, (c) => ({ ok: true, value: String(c.A).charCodeAt(0) + Number(c.C) }), 5);
      assert.equal(asked.length, 12);
      assert.equal(new Set(asked.map((c) => space.key(c))).size, 12);
      assert.deepEqual(await s.ask(3), []);
      s.dispose?.();
    });

    test("replay: proposes only members of the pool, each at most once, until it is used up", async () => {
      const space = contractSpace();
      const pool: Config[] = [];
      for (const a of ["bbuddy", "tinyalloc", "mimalloc"])
        for (const hz of [100, 250, 1000]) for (const buf of [1, 64, 4096, 100000]) pool.push(space.complete({ ALLOCATOR: a, HZ: hz, BUF: buf, ...(a === "tinyalloc" ? { TINY_ALIGN: 16 } : {}) }));
      pool.push({ ...pool[3] }); // a duplicated row, as recorded pools have
      const s = await factory({ space, direction: "max", seed: 2, pool });
      const asked = await drive(s, space, 1000, contractObjective, 4);
      const poolKeys = new Set(pool.map((c) => space.key(c)));
      assert.equal(asked.length, poolKeys.size);
      for (const c of asked) assert.ok(poolKeys.has(space.key(c)), `not a pool member: ${JSON.stringify(c)}`);
      assert.equal(new Set(asked.map((c) => space.key(c))).size, asked.length);
      s.dispose?.();
    });
  });
}
