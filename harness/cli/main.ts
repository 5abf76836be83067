/**
 * The `wayfinder` command line. Each subcommand lives in its own file under ./commands and is loaded
 * on demand: `wayfinder a b ...` runs commands/a-b.ts when it exists, else commands/a.ts with `b ...`
 * as its arguments. A command file exports `summary` (one line for the help) and `run(argv)`.
 */
import { readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { WayfinderError } from "../../lib/errors";

export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

const commandsDir = join(import.meta.dirname, "commands");

async function load(file: string): Promise<Command> {
  return (await import(join(commandsDir, file))) as Command;
}

async function help(): Promise<number> {
  const lines = ["usage: wayfinder <command> [options]   (wayfinder <command> --help for details)", "", "commands:"];
  for (const file of readdirSync(commandsDir).filter((f) => f.endsWith(".ts")).sort()) {
    const cmd = await load(file);
    lines.push(`  ${file.replace(/\.ts$/, "").replace("-", " ").padEnd(22)} ${cmd.summary}`);
  }
  console.log(lines.join("\n"));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [first, second, ...rest] = argv;
  if (!first || first === "--help" || first === "-h" || first === "help") return help();
  if (!/^[a-z][a-z0-9-]*$/.test(first)) {
    console.error(`error: unknown command ${JSON.stringify(first)}; run "wayfinder --help" for the list`);
    return 2;
  }
  let file = `${first}.ts`;
  let args = second === undefined ? [] : [second, ...rest];
  if (second && /^[a-z][a-z0-9-]*$/.test(second) && existsSync(join(commandsDir, `${first}-${second}.ts`))) {
    file = `${first}-${second}.ts`;
    args = rest;
  }
  if (!existsSync(join(commandsDir, file))) {
    console.error(`error: unknown command ${JSON.stringify(first)}; run "wayfinder --help" for the list`);
    return 2;
  }
  try {
    return await (await load(file)).run(args);
  } catch (err) {
    if (err instanceof WayfinderError) {
      console.error(`error: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
