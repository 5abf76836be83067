/**
 * What differs between two resolved .config files, as NAME=value: `removed` holds the values only the
 * first has (set there, unset or different in the second), `added` the second's. "# CONFIG_X is not set"
 * and an absent symbol both mean unset, so a dropped driver shows once, under removed.
 */
export function dotConfigDiff(a: string, b: string): { removed: string[]; added: string[] } {
  const parse = (text: string) => {
    const m = new Map<string, string>();
    for (const line of text.split("\n")) {
      const set = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/.exec(line);
      const unset = /^# CONFIG_([A-Za-z0-9_]+) is not set$/.exec(line);
      if (set) m.set(set[1], set[2]);
      else if (unset) m.set(unset[1], "n");
    }
    return m;
  };
  const [ma, mb] = [parse(a), parse(b)];
  const removed: string[] = [];
  const added: string[] = [];
  for (const [k, v] of ma) if (mb.get(k) !== v && v !== "n") removed.push(`${k}=${v}`);
  for (const [k, v] of mb) if (ma.get(k) !== v && v !== "n") added.push(`${k}=${v}`);
  return { removed: removed.sort(), added: added.sort() };
}
