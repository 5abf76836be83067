/**
 * How a run reports itself: one line rewritten in place on a terminal, one plain log line per
 * evaluation otherwise (CI logs, files, pipes). The formatting is pure so it is tested without a TTY.
 */
import type { Direction } from "../../lib/datasets/types";
import type { Outcome } from "../../lib/search/searcher";
import { formatDuration } from "./budget";
import type { RunProgress } from "./run-study";

export function formatValue(v: number): string {
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toPrecision(3);
}

/** Relative gain of `value` over `base` in the objective's direction: +0.05 means 5 % better. */
export function gain(value: number, base: number, direction: Direction): number {
  if (base === 0) return 0;
  return direction === "max" ? value / base - 1 : base / value - 1;
}

export function formatGain(g: number): string {
  return `${g >= 0 ? "+" : ""}${(g * 100).toFixed(1)}%`;
}

function outcomeText(o: Outcome): string {
  return o.ok ? formatValue(o.value) : `failed (${o.phase})`;
}

export function formatProgressLine(p: RunProgress, direction: Direction): string {
  const total = "iterations" in p.budget ? `/${p.budget.iterations}` : "";
  const parts = [
    `[${p.done}${total}]`,
    `elapsed ${formatDuration(p.elapsed)}`,
    `remaining ~${formatDuration(p.remaining)}`,
  ];
  if (p.best) {
    const g = p.defaultValue !== undefined ? ` (${formatGain(gain(p.best.value, p.defaultValue, direction))} vs default)` : "";
    parts.push(`best ${formatValue(p.best.value)} #${p.best.seq}${g}`);
  } else {
    parts.push("best -");
  }
  parts.push(`crashes ${(p.crashRate * 100).toFixed(0)}%`);
  // With --parallel, how many evaluations are still running besides the one just reported.
  if (p.running) parts.push(`running ${p.running}`);
  return parts.join("  ");
}

export function formatLogLine(p: RunProgress, direction: Direction): string {
  const what = [p.seq === 0 ? "default" : p.rerun ? "re-run after interruption" : "", p.slot !== undefined ? `slot ${p.slot}` : ""]
    .filter(Boolean).join(", ");
  return `evaluation ${p.seq}${what ? ` (${what})` : ""}: ${outcomeText(p.outcome)} | ${formatProgressLine(p, direction)}`;
}

/** Writes progress to a stream: in place on a TTY, one line per evaluation otherwise. */
export class ProgressReporter {
  private live = "";

  constructor(
    private readonly out: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean },
    private readonly direction: Direction,
  ) {}

  get isTTY(): boolean {
    return Boolean((this.out as { isTTY?: boolean }).isTTY);
  }

  started(seq: number, label: string): void {
    if (this.isTTY) this.redraw(`${this.live ? this.live + "  " : ""}| evaluating #${seq} ${label}`);
    else this.out.write(`evaluation ${seq} started${label ? ` (${label})` : ""}\n`);
  }

  progress(p: RunProgress): void {
    if (this.isTTY) {
      // Failures and the best-so-far stay visible as ordinary lines above the live one.
      const line = formatLogLine(p, this.direction);
      this.clear();
      if (!p.outcome.ok || p.best?.seq === p.seq) this.out.write(line + "\n");
      this.live = formatProgressLine(p, this.direction);
      this.redraw(this.live);
    } else {
      this.out.write(formatLogLine(p, this.direction) + "\n");
    }
  }

  /** Prints a message as an ordinary line (keeping the live line below it on a TTY). */
  note(message: string): void {
    if (this.isTTY) {
      this.clear();
      this.out.write(message + "\n");
      if (this.live) this.redraw(this.live);
    } else this.out.write(message + "\n");
  }

  finish(): void {
    if (this.isTTY) {
      this.clear();
      if (this.live) this.out.write(this.live + "\n");
    }
  }

  private clear(): void {
    this.out.write("\r\x1b[2K");
  }

  private redraw(text: string): void {
    const width = (this.out as NodeJS.WriteStream).columns ?? 120;
    this.out.write("\r\x1b[2K" + (text.length > width - 1 ? text.slice(0, width - 1) : text));
  }
}
