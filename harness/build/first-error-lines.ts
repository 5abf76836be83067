/**
 * The lines of a kernel build log that say why it failed: compiler and linker errors, kconfig and make
 * `***` messages, in the order they appear, so a failure can be classified without reading the log.
 */
const ERROR_LINE = /(\berror:|\bError \d+|^\s*\*\*\*|\*\*\* |undefined reference to|fatal error|No rule to make target|Killed|cannot find -l|not supported|: not found|No such file or directory|command not found)/;

export function firstErrorLines(log: string, max = 8): string[] {
  const out: string[] = [];
  for (const line of log.split("\n")) {
    if (ERROR_LINE.test(line) && !out.includes(line.trim())) {
      out.push(line.trim());
      if (out.length >= max) break;
    }
  }
  return out;
}
