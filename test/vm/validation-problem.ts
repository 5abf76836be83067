/** The message validateTarget refuses `raw` with (fails the test if it accepts it or throws anything else). */
import assert from "node:assert/strict";
import { validateTarget } from "../../harness/vm/validate-target";
import { WayfinderError } from "../../lib/errors";

export function validationProblem(raw: unknown, opts: Parameters<typeof validateTarget>[1] = {}): string {
  try {
    validateTarget(raw, opts);
  } catch (e) {
    assert.ok(e instanceof WayfinderError, String(e));
    return e.message;
  }
  assert.fail("expected a WayfinderError");
}
