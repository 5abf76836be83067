/**
 * The kernel command line: the harness's own arguments, the target's fixed ones, then the boot-time
 * parameters of the configuration. Values are checked on the host before anything boots; a value that
 * could add another argument, end the kernel's arguments ("--") or reach the init's environment in an
 * unexpected form is rejected with the parameter named.
 */
import { fail, quote } from "../../lib/errors";

/** Arguments the harness sets itself; a job may not vary them. */
export const RESERVED_BOOT_PARAMS = ["console", "earlycon", "earlyprintk", "panic", "rdinit", "init", "initrd", "noinitrd", "root", "loglevel", "quiet", "no_timer_check"];

/**
 * no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer check can fail and panic at
 * boot ("IO-APIC + timer doesn't work!"), a property of the emulator, not of the configuration.
 */
export const HARNESS_BOOT_ARGS = ["console=ttyS0", "panic=-1", "loglevel=4", "rdinit=/init", "no_timer_check"];

const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const VALUE = /^[A-Za-z0-9_.,:+-]{1,256}$/;
/** x86's COMMAND_LINE_SIZE. */
export const MAX_CMDLINE = 2048;

const TRUE = new Set(["y", "yes", "on", "true", "1"]);
const FALSE = new Set(["n", "no", "off", "false", "0", ""]);

/** Why a boot parameter's name or value cannot go on the command line, or undefined when it can. */
export function bootParamProblem(name: string, value: number | string, flag = false): string | undefined {
  if (!NAME.test(name)) return `boot parameter name ${quote(name)} is not a kernel parameter name ([a-z0-9_.-], at most 64 characters)`;
  if (RESERVED_BOOT_PARAMS.includes(name)) return `boot parameter ${quote(name)} is set by the harness and cannot be varied (reserved: ${RESERVED_BOOT_PARAMS.join(", ")})`;
  const v = String(value);
  if (flag) {
    if (!TRUE.has(v.toLowerCase()) && !FALSE.has(v.toLowerCase())) return `boot flag ${name} takes y/n, on/off, true/false or 1/0, not ${quote(v)}`;
    return undefined;
  }
  if (v === "") return undefined;
  if (!VALUE.test(v)) return `boot parameter ${name}=${quote(v)} is unsafe on the kernel command line: values may only contain letters, digits and _ . , : + - (at most 256 characters)`;
  return undefined;
}

/** One argument word for a boot parameter, or undefined when the value means "leave it unset". */
export function bootArg(name: string, value: number | string, flag = false): string | undefined {
  const problem = bootParamProblem(name, value, flag);
  if (problem) fail(problem);
  const v = String(value);
  if (flag) return TRUE.has(v.toLowerCase()) ? name : undefined;
  return v === "" ? undefined : `${name}=${v}`;
}

/** Check a fixed argument of the target (a bare flag or name=value). */
export function fixedArgProblem(arg: string): string | undefined {
  const eq = arg.indexOf("=");
  return eq < 0 ? bootParamProblem(arg, "y", true) : bootParamProblem(arg.slice(0, eq), arg.slice(eq + 1));
}

export function bootCommandLine(fixed: string[], params: { name: string; value: number | string; flag?: boolean }[]): string {
  const words = [...HARNESS_BOOT_ARGS];
  for (const a of fixed) {
    const problem = fixedArgProblem(a);
    if (problem) fail(problem);
    words.push(a);
  }
  for (const p of params) {
    const w = bootArg(p.name, p.value, p.flag);
    if (w !== undefined) words.push(w);
  }
  const line = words.join(" ");
  if (line.length >= MAX_CMDLINE) fail(`the kernel command line would be ${line.length} characters; the limit is ${MAX_CMDLINE - 1}`);
  return line;
}
