/**
 * Reader for .config files (and fragments): `CONFIG_NAME=value` lines and `# CONFIG_NAME is not set`
 * lines; other comments and blank lines are ignored. Values are kept exactly as written on the right
 * of the `=` ("y", "m", "64", "0x1000", "\"text\""); "is not set" reads as "n".
 */
import { WayfinderError, quote } from "../errors";

export function parseDotConfig(text: string, file = ".config", prefix = "CONFIG_"): Map<string, string> {
  const values = new Map<string, string>();
  const set = new RegExp(`^${prefix}([A-Za-z0-9_]+)=(.*)$`);
  const unset = new RegExp(`^# ${prefix}([A-Za-z0-9_]+) is not set\\s*$`);
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    const s = set.exec(line);
    if (s) {
      const value = s[2]!.trim();
      if (value === "") throw new WayfinderError(`${file}:${i + 1}: ${prefix}${s[1]} has an empty value; write "# ${prefix}${s[1]} is not set" to turn it off`);
      values.set(s[1]!, value);
      return;
    }
    const u = unset.exec(line);
    if (u) {
      values.set(u[1]!, "n");
      return;
    }
    if (line.startsWith("#")) return;
    throw new WayfinderError(`${file}:${i + 1}: cannot read ${quote(line)}; expected ${prefix}NAME=value, "# ${prefix}NAME is not set" or a comment`);
  });
  return values;
}
