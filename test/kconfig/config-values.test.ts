// .config reading/writing, request checking against a Kconfig tree, and the survived-values check,
// on small inline inputs (the same functions run against the real kernel in test/build).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  droppedConfigValues, explainDroppedValues, normalizeConfigRequest, parseDotConfig, parseKconfig, renderConfigFragment,
  sameConfigValue, type KconfigTree,
} from "../../lib/kconfig";
import { WayfinderError } from "../../lib/errors";

const KCONFIG = `
config NET
\tbool "Networking"
config INET
\tbool "TCP/IP"
\tdepends on NET
config LOG_BUF_SHIFT
\tint "Log buffer size"
\trange 12 25
\tdefault 17
config PHYS_START
\thex "Physical start"
\tdefault 0x1000000
config HOSTNAME
\tstring "Default hostname"
config CRYPTO_AES
\ttristate "AES"
config HELPER
\tbool
config USER
\tbool "needs helper"
\tselect HELPER
choice
\tprompt "Timer frequency"
config HZ_100
\tbool "100 HZ"
config HZ_250
\tbool "250 HZ"
endchoice
`;

function tree(): KconfigTree {
  return parseKconfig({ root: "/src", entries: ["Kconfig"], scope: "test", env: {}, source: { read: (p) => (p === "Kconfig" ? KCONFIG : undefined), glob: () => [] } });
}

test(".config: parse and render round-trip, 'is not set' is n, bad lines name file and line", () => {
  const text = "#\n# Automatically generated file; DO NOT EDIT.\n#\nCONFIG_NET=y\n# CONFIG_INET is not set\nCONFIG_LOG_BUF_SHIFT=14\nCONFIG_HOSTNAME=\"a \\\"b\\\"\"\n\n";
  const v = parseDotConfig(text);
  assert.deepEqual([...v], [["NET", "y"], ["INET", "n"], ["LOG_BUF_SHIFT", "14"], ["HOSTNAME", '"a \\"b\\""']]);
  assert.equal(renderConfigFragment(v), 'CONFIG_NET=y\n# CONFIG_INET is not set\nCONFIG_LOG_BUF_SHIFT=14\nCONFIG_HOSTNAME="a \\"b\\""\n');
  assert.deepEqual(parseDotConfig(renderConfigFragment(v)), v);
  assert.throws(() => parseDotConfig("CONFIG_NET=y\nNET=y\n", "my.config"), /^WayfinderError: my\.config:2: cannot read "NET=y"/);
  assert.throws(() => parseDotConfig("CONFIG_NET=\n", "f"), /f:1: CONFIG_NET has an empty value/);
});

test("requests are spelled as .config values by type; CONFIG_ prefix optional", () => {
  const r = normalizeConfigRequest(tree(), {
    CONFIG_NET: true, INET: "n", LOG_BUF_SHIFT: 14, PHYS_START: 4096, HOSTNAME: 'my "box"', CRYPTO_AES: "m", HZ_100: "y",
  });
  assert.deepEqual(r.values, { NET: "y", INET: "n", LOG_BUF_SHIFT: "14", PHYS_START: "0x1000", HOSTNAME: '"my \\"box\\""', CRYPTO_AES: "m", HZ_100: "y" });
  assert.deepEqual(r.choiceConflicts, []);
  assert.equal(normalizeConfigRequest(tree(), { PHYS_START: "0X2000" }).values.PHYS_START, "0x2000");
});

test("unknown options and wrong types: one error listing every problem, with close names", () => {
  assert.throws(
    () => normalizeConfigRequest(tree(), { NETT: "y", LOG_BUF_SHIFT: "big", NET: "m", PHYS_START: "0xZZ", HOSTNAME: true }),
    (e: unknown) => {
      assert.ok(e instanceof WayfinderError);
      assert.match(e.message, /NETT: no such Kconfig symbol in \/src \(test\); did you mean NET, INET\?/);
      assert.match(e.message, /LOG_BUF_SHIFT: "big" is not a valid int value; expected a decimal integer/);
      assert.match(e.message, /NET: "m" is not a valid bool value; expected y or n/);
      assert.match(e.message, /PHYS_START: "0xZZ" is not a valid hex value/);
      assert.match(e.message, /HOSTNAME: true is not a valid string value/);
      return true;
    },
  );
});

test("two members of one choice set to y: a conflict, not an exception", () => {
  const r = normalizeConfigRequest(tree(), { HZ_100: "y", HZ_250: "y", NET: "y" });
  assert.equal(r.choiceConflicts.length, 1);
  assert.deepEqual(r.choiceConflicts[0]!.members, ["HZ_100", "HZ_250"]);
  assert.match(r.choiceConflicts[0]!.choice, /choice at Kconfig:\d+/);
});

test("survived check: reset, dropped and kept values; numbers compare by value; absent counts as n", () => {
  const result = new Map([["NET", "n"], ["LOG_BUF_SHIFT", "17"], ["PHYS_START", "0x01000000"], ["HELPER", "y"], ["USER", "y"]]);
  const dropped = droppedConfigValues(
    { LOG_BUF_SHIFT: "30", INET: "y", PHYS_START: "0x1000000", HOSTNAME: "n", HELPER: "n", USER: "y" },
    result,
  );
  assert.deepEqual(dropped, [
    { name: "LOG_BUF_SHIFT", requested: "30", actual: "17" },
    { name: "INET", requested: "y" },
    { name: "HELPER", requested: "n", actual: "y" },
  ]);
  assert.ok(sameConfigValue("16", "0x10") && !sameConfigValue("y", "m") && sameConfigValue("n", undefined) && !sameConfigValue("y", undefined));
  const why = explainDroppedValues(tree(), dropped);
  assert.match(why[0]!.reason!, /30 is outside its range \[12, 25\]/);
  assert.match(why[1]!.reason!, /dependencies are unmet \(depends on NET\)/);
  assert.match(why[2]!.reason!, /no prompt.*forced on by select from USER/);
});
