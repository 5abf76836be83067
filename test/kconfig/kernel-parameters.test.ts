// kernel-parameters.txt of linux-source-6.1, and the entry shapes the reader has to tell apart.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureKernelSource } from "../../harness/build/kernel-source";
import { kernelParameterSpace, parseKernelParameters, type KernelParameter } from "../../lib/kconfig";

let text = "";
let params: KernelParameter[] = [];
before(() => {
  text = readFileSync(join(ensureKernelSource(), "Documentation/admin-guide/kernel-parameters.txt"), "utf8");
  params = parseKernelParameters(text);
});

test("linux 6.1: one entry per line starting with one tab and a non-blank (988)", () => {
  const entryLines = text.split("\n").filter((l) => /^\t\S/.test(l)).length;
  assert.equal(params.length, entryLines);
  assert.equal(params.length, 988);
  // the platform notes' "647 take a value" counts entries whose first token ends in a bare "=";
  // the reader also sees values written inline (cma=nn[MG]...), optional ones (dyndbg[="val"]),
  // tags glued to the "=" (fail_make_request=[KNL]) and "name =" written with a blank
  const bareEquals = text.split("\n").filter((l) => /^\t\S/.test(l) && /^\S*=$/.test(l.slice(1).split(/\s/)[0]!)).length;
  assert.equal(bareEquals, 647);
  const takeValue = params.filter((p) => p.value !== "none");
  assert.ok(takeValue.length > bareEquals);
  for (const p of params) if (/^\S*=$/.test(p.syntax.split(/\s/)[0]!)) assert.notEqual(p.value, "none", p.syntax);
});

test("entry shapes: tags on the entry line, on the next line, glued; optional values; Format lines", () => {
  const byLine = (name: string) => params.find((p) => p.name === name)!;
  assert.deepEqual(byLine("acpi").tags, ["HW", "ACPI", "X86", "ARM64"]);
  assert.equal(byLine("acpi").format, "{ force | on | off | strict | noirq | rsdt | copy_dsdt }");
  assert.deepEqual(byLine("fail_make_request"), { ...byLine("fail_make_request"), value: "required", tags: ["KNL"], syntax: "fail_make_request=" });
  const crash = params.filter((p) => p.name === "crashkernel");
  assert.equal(crash.length, 4);
  assert.ok(crash.every((p) => p.tags.includes("KNL")), "crashkernel's [KNL] tag is on the line after the entry");
  assert.equal(byLine("<module>.dyndbg").value, "optional");
  assert.equal(byLine("nosmp").value, "none");
  assert.equal(byLine("nfs.send_implementation_id").value, "required");
  assert.equal(byLine("log_buf_len").format, "n[KMG]");
});

test("boot-time space: flags become booleans, enumerated formats choices, the rest is listed with a reason", () => {
  const space = kernelParameterSpace(params);
  const acpi = space.parameters.find((p) => p.name === "acpi");
  assert.deepEqual(acpi, { ...acpi, phase: "boot", type: "choice", values: ["force", "on", "off", "strict", "noirq", "rsdt", "copy_dsdt"] });
  const nosmp = space.parameters.find((p) => p.name === "nosmp")!;
  assert.equal(nosmp.type, "boolean");
  assert.ok(space.parameters.every((p) => p.phase === "boot"));
  assert.ok(space.left.some((l) => l.name === "log_buf_len" && /n\[KMG\]/.test(l.reason)));
  assert.equal(new Set(space.parameters.map((p) => p.name)).size, space.parameters.length);
  const knl = kernelParameterSpace(params, { tags: ["KNL"] });
  assert.ok(knl.parameters.length > 0 && knl.parameters.length < space.parameters.length);
});

test("a file without entries is a clear error", () => {
  assert.throws(() => parseKernelParameters("just prose\nno tabs\n", "x.txt"), /x\.txt: no parameter entries found/);
});
