// The Kconfig reader on small inline trees: each construct the Linux tree relies on, and the errors.
// (The whole linux-source-6.1 tree is checked against kconfiglib in count.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseKconfig, countKconfigSymbols, type KconfigTree } from "../../lib/kconfig";
import { WayfinderError } from "../../lib/errors";

function parse(files: Record<string, string>, env: Record<string, string> = {}): KconfigTree {
  return parseKconfig({
    root: "/src", entries: ["Kconfig"], scope: "test", env,
    source: {
      read: (p) => files[p],
      glob: (pattern) => {
        const re = new RegExp("^" + pattern.replace(/\./g, "\\.").replace(/\*/g, "[^/]*") + "$");
        return Object.keys(files).filter((f) => re.test(f)).sort();
      },
    },
  });
}

function throwsAt(files: Record<string, string>, message: RegExp): void {
  assert.throws(() => parse(files), (e: unknown) => e instanceof WayfinderError && message.test(e.message));
}

test("types: bool/tristate/string/hex/int, def_bool/def_tristate, last stated type wins", () => {
  const t = parse({
    Kconfig: [
      "config A", "\tbool \"A\"",
      "config B", "\ttristate", "config C", "\tstring \"c\" if A", "config D", "\thex", "config E", "\tint \"e\"",
      "config F", "\tdef_bool y", "config G", "\tdef_tristate m if A",
      "config A", "\tdepends on B", // a second definition without a type keeps bool
      "config H", "\tbool", "config H", "\tint", // redefinition with another type: the last wins
      "",
    ].join("\n"),
  });
  const type = (n: string) => t.symbols.get(n)!.type;
  assert.deepEqual(["A", "B", "C", "D", "E", "F", "G", "H"].map(type), ["bool", "tristate", "string", "hex", "int", "bool", "tristate", "int"]);
  assert.equal(t.symbols.get("A")!.definitions.length, 2);
  assert.deepEqual(t.symbols.get("C")!.definitions[0]!.prompt, { value: "c", condition: "A" });
  assert.deepEqual(t.symbols.get("G")!.definitions[0]!.defaults, [{ value: "m", condition: "A" }]);
  assert.deepEqual(countKconfigSymbols(t), { bool: 2, tristate: 2, string: 1, hex: 1, int: 2, total: 8, prompted: 3, typeless: 0 });
});

test("help text is skipped by indentation, even when it contains Kconfig keywords", () => {
  const t = parse({
    Kconfig: [
      "config A",
      "\tbool \"a\"",
      "\thelp",
      "\t  This help mentions",
      "\t  config NOT_A_SYMBOL",
      "",
      "\t  \tint",
      "\t  and ends here.",
      "",
      "config B",
      "\tint",
      "\t---help---",
      "\t  old-style help",
      "\tdefault 3", // same indentation as the help keyword but less than the text: help is over
      "config C # a trailing comment after the name",
      "\tbool",
      "\thelp",
      "config D", // help with no text at all: the next line is read normally
      "\tbool",
    ].join("\n"),
  });
  assert.deepEqual([...t.symbols.keys()], ["A", "B", "C", "D"]);
  assert.deepEqual(t.symbols.get("B")!.definitions[0]!.defaults, [{ value: "3" }]);
});

test("backslash continuation lines are joined (def_bool $(as-instr,...) split over two lines)", () => {
  const t = parse({ Kconfig: 'config CC_HAS_IBT\n\tdef_bool $(cc-option, -fcf-protection=branch) && \\\n\t\t  $(as-instr,endbr64)\nconfig NEXT\n\tbool\n' });
  assert.equal(t.symbols.get("CC_HAS_IBT")!.definitions[0]!.defaults[0]!.value, "$(cc-option, -fcf-protection=branch) && \t\t  $(as-instr,endbr64)");
  assert.equal(t.symbols.get("NEXT")!.type, "bool");
});

test("source, rsource, osource, orsource with $(SRCARCH), globs and macro variables", () => {
  const t = parse({
    Kconfig: [
      'MYDIR := sub', 'source "arch/$(SRCARCH)/Kconfig"', 'source "$(MYDIR)/Kconfig"', 'osource "missing/Kconfig"',
      'source "drivers/*/Kconfig"', '$(info,no symbols here)',
    ].join("\n"),
    "arch/riscv/Kconfig": 'config RISCV\n\tdef_bool y\nrsource "Kconfig.socs"\n',
    "arch/riscv/Kconfig.socs": "config SOC_VIRT\n\tbool \"virt\"\n",
    "sub/Kconfig": 'config SUB\n\tint\norsource "nothere"\n',
    "drivers/a/Kconfig": "config DRV_A\n\ttristate \"a\"\n",
    "drivers/b/Kconfig": "config DRV_B\n\ttristate \"b\"\n",
  }, { SRCARCH: "riscv" });
  assert.deepEqual([...t.symbols.keys()], ["RISCV", "SOC_VIRT", "SUB", "DRV_A", "DRV_B"]);
  assert.deepEqual(t.files, ["Kconfig", "arch/riscv/Kconfig", "arch/riscv/Kconfig.socs", "sub/Kconfig", "drivers/a/Kconfig", "drivers/b/Kconfig"]);
});

test("choice blocks: members, untyped members take the choice type, optional, conditions", () => {
  const t = parse({
    Kconfig: [
      "menu \"Timers\"", "\tdepends on X86", "",
      "choice", "\tprompt \"Timer frequency\"", "\tdefault HZ_250", "\toptional",
      "config HZ_100", "\tbool \"100 HZ\"",
      "if SMP", "config HZ_250", "\tprompt \"250 HZ\"", "endif",
      "endchoice",
      "config HZ", "\tint", "\tdefault 100 if HZ_100", "\tdefault 250", "\trange 100 1000", "\tselect FOO if BAR",
      "endmenu",
    ].join("\n"),
  });
  assert.equal(t.choices.length, 1);
  const c = t.choices[0]!;
  assert.deepEqual(c.members, ["HZ_100", "HZ_250"]);
  assert.equal(c.type, "bool");
  assert.equal(c.optional, true);
  assert.equal(t.symbols.get("HZ_250")!.type, "bool"); // from the choice
  assert.deepEqual(t.symbols.get("HZ_250")!.definitions[0]!.enclosing, ["X86", "SMP"]);
  const hz = t.symbols.get("HZ")!.definitions[0]!;
  assert.equal(hz.choice, undefined);
  assert.deepEqual(hz.ranges, [{ low: "100", high: "1000" }]);
  assert.deepEqual(hz.selects, [{ value: "FOO", condition: "BAR" }]);
  assert.deepEqual(hz.defaults, [{ value: "100", condition: "HZ_100" }, { value: "250" }]);
});

test("bad input: file, line and column of the fault", () => {
  throwsAt({ Kconfig: "config A\n\tbool \"a\"\n\tfrobnicate 3\n" }, /^Kconfig:3:2: unknown Kconfig keyword "frobnicate"/);
  throwsAt({ Kconfig: "menu \"m\"\nconfig A\n\tbool\n" }, /^Kconfig:1: menu is never closed in this file \(expected endmenu\)/);
  throwsAt({ Kconfig: "if A\nendmenu\n" }, /^Kconfig:2:1: endmenu without a matching menu .*the if at line 1/);
  throwsAt({ Kconfig: "config A B\n\tbool\n" }, /^Kconfig:1:8: config needs one symbol name/);
  throwsAt({ Kconfig: "\tbool \"x\"\n" }, /^Kconfig:1:2: "bool" is not a Kconfig statement, and there is no config/);
  throwsAt({ Kconfig: 'source "a"\n', a: 'source "Kconfig"\n' }, /recursive source: Kconfig -> a -> Kconfig/);
  throwsAt({ Kconfig: 'source "drivers/*/Kconfig"\n' }, /Kconfig:1:8: source "drivers\/\*\/Kconfig": the pattern .* matches no file/);
  throwsAt({ Kconfig: 'source "$(shell,echo x)/Kconfig"\n' }, /cannot evaluate the macro function call \$\(shell,echo x\)/);
  throwsAt({ Kconfig: "config A\n\tbool \"a\" when B\n" }, /^Kconfig:2:\d+: expected "if <condition>" after the prompt/);
});
