import { test } from "node:test";
import assert from "node:assert/strict";
import { placeholders, renderConfig } from "../../harness/vm/render-config";

test("plain values are inserted as they are", () => {
  const r = renderConfig({ path: "/etc/redis.conf", format: "redis", template: "maxclients {{maxclients}}\nsave {{ save }}\n" }, { maxclients: 100, save: "900" });
  assert.deepEqual(r, { ok: true, content: "maxclients 100\nsave 900\n" });
});

test("redis: hostile values stay one quoted argument on one line", () => {
  const r = renderConfig({ path: "/c", format: "redis", template: "dir {{d}}\n" }, { d: 'x"\nrequirepass $(reboot); ../' });
  assert.ok(r.ok);
  assert.equal(r.content.split("\n").length, 2, "no new line was added");
  assert.equal(r.content, 'dir "x\\"\\x0arequirepass $(reboot); ../"\n');
});

test("nginx: ; { } cannot end the directive", () => {
  const r = renderConfig({ path: "/c", format: "nginx", template: "server_name {{n}};\n" }, { n: 'a; } evil {' });
  assert.ok(r.ok);
  assert.equal(r.content, 'server_name "a; } evil {";\n');
});

test("sql: string literal with doubled quotes, numbers bare", () => {
  const r = renderConfig({ path: "/c", format: "sql", template: "PRAGMA journal_mode={{j}};\nPRAGMA cache_size={{c}};\n" }, { j: "x'; DROP TABLE t; --", c: -2000 });
  assert.ok(r.ok);
  assert.equal(r.content, "PRAGMA journal_mode='x''; DROP TABLE t; --';\nPRAGMA cache_size=-2000;\n");
});

test("raw format rejects anything but a plain token; missing values are reported", () => {
  const r = renderConfig({ path: "/c", format: "raw", template: "{{a}} {{b}} {{c}}" }, { a: "ok-1", b: "x y" });
  assert.equal(r.ok, false);
  if (!r.ok) assert.deepEqual(r.rejected.map((x) => x.name), ["b", "c"]);
});

test("placeholders are listed once each in order", () => {
  assert.deepEqual(placeholders("{{a}} {{ b }} {{a}}"), ["a", "b"]);
});
