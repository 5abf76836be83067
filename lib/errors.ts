/**
 * The one error type the toolkit throws for bad input. Its message is written for the user:
 * it names the file, line, column, parameter or value at fault and says what would be valid.
 * The CLI prints `error: <message>` for it and exits with status 2, without a stack trace.
 */
export class WayfinderError extends Error {
  constructor(message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = "WayfinderError";
  }
}

/** Shorthand for `throw new WayfinderError(...)` in expression position. */
export function fail(message: string, details?: Record<string, unknown>): never {
  throw new WayfinderError(message, details);
}

/** Quote a user-supplied value for an error message, shortened so a huge value cannot flood the terminal. */
export function quote(value: unknown): string {
  const s = typeof value === "string" ? JSON.stringify(value) : String(value);
  return s.length > 80 ? s.slice(0, 77) + "..." : s;
}
