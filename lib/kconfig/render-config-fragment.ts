/** Write configuration values as .config lines, the inverse of parseDotConfig ("n" becomes "is not set"). */
export function renderConfigFragment(values: Map<string, string> | Record<string, string>, prefix = "CONFIG_"): string {
  const entries = values instanceof Map ? [...values] : Object.entries(values);
  return entries.map(([name, value]) => (value === "n" ? `# ${prefix}${name} is not set` : `${prefix}${name}=${value}`)).join("\n") + (entries.length ? "\n" : "");
}

/** Quote a string value the way .config files do: backslash and double quote escaped. */
export function quoteConfigString(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
