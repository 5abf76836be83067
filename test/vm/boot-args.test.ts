import { test } from "node:test";
import assert from "node:assert/strict";
import { bootCommandLine, bootParamProblem } from "../../harness/vm/boot-args";

test("harness arguments first, then fixed ones, then the configuration's", () => {
  const line = bootCommandLine(["mitigations=off"], [{ name: "clocksource", value: "hpet" }, { name: "nosmt", value: "y", flag: true }, { name: "nowatchdog", value: "n", flag: true }]);
  assert.equal(line, "console=ttyS0 panic=-1 loglevel=4 rdinit=/init no_timer_check mitigations=off clocksource=hpet nosmt");
});

test("an empty value leaves the parameter unset", () => {
  assert.ok(!bootCommandLine([], [{ name: "tsc", value: "" }]).includes("tsc"));
});

test("values that could add arguments or reach init are rejected with the parameter named", () => {
  for (const v of ["a b", "$(reboot)", "1;reboot", "x\ny", "../x/y", "--", "\"q\"", "a=b"]) {
    const p = bootParamProblem("clocksource", v);
    if (v === "--") assert.equal(p, undefined, "a plain -- inside a value is one word: clocksource=--");
    else assert.match(p ?? "", /clocksource=.*unsafe/, v);
  }
  assert.throws(() => bootCommandLine([], [{ name: "clocksource", value: "hpet init=/bin/sh" }]), /unsafe/);
});

test("reserved and malformed names are refused", () => {
  assert.match(bootParamProblem("init", "/bin/sh") ?? "", /set by the harness/);
  assert.match(bootParamProblem("rdinit", "x") ?? "", /set by the harness/);
  assert.match(bootParamProblem("Bad Name", "1") ?? "", /not a kernel parameter name/);
  assert.match(bootParamProblem("nosmt", "maybe", true) ?? "", /y\/n/);
});

test("an over-long command line is refused", () => {
  const params = Array.from({ length: 40 }, (_, i) => ({ name: `p${i}`, value: "x".repeat(60) }));
  assert.throws(() => bootCommandLine([], params), /limit is 2047/);
});
