// Executes every notebook in notebooks/ headlessly with the project's tslab kernel and fails when a cell
// fails (a thrown error or a type error), showing that cell's source and error. Executed copies go to a
// temporary folder; the notebooks themselves are not modified.
//
// Per-notebook limit: 600 s, or the notebook's metadata {"wayfinder": {"timeout": seconds}}; each cell
// may take at most that long too. Needs Debian's jupyter-nbconvert, python3-nbclient and
// python3-ipykernel (scripts/apt-packages.txt) and the kernel that scripts/setup.mjs registers.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = join(import.meta.dirname, "../..");
// WAYFINDER_NOTEBOOKS_DIR runs the notebooks of another folder (used to check this test on failing notebooks).
const notebooksDir = process.env.WAYFINDER_NOTEBOOKS_DIR ?? join(root, "notebooks");
const jupyterPath = join(root, ".cache/jupyter/share/jupyter");
const python = "/usr/bin/python3";
const runner = join(import.meta.dirname, "run-notebook.py");
const DEFAULT_TIMEOUT_S = 600;

function findNotebooks(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      // Skip hidden folders (.ipynb_checkpoints, .out) and the lib link, which holds no notebooks.
      if (name.startsWith(".") || name === "lib") return [];
      if (statSync(p).isDirectory()) return findNotebooks(p);
      return name.endsWith(".ipynb") ? [p] : [];
    });
}

function setupProblem(): string | undefined {
  if (!existsSync(join(jupyterPath, "kernels/tslab/kernel.json"))) {
    return `the tslab kernel is not registered in ${jupyterPath}; run: node scripts/setup.mjs`;
  }
  const probe = spawnSync(python, ["-c", "import nbclient, nbformat, ipykernel"], { encoding: "utf8" });
  if (probe.status !== 0) {
    return `${python} cannot import nbclient/nbformat/ipykernel (${(probe.stderr || String(probe.error)).trim().split("\n").pop()}); install the Debian packages in scripts/apt-packages.txt (node scripts/setup.mjs)`;
  }
  return undefined;
}

const notebooks = existsSync(notebooksDir) ? findNotebooks(notebooksDir) : [];
const outDir = mkdtempSync(join(tmpdir(), "wayfinder-notebooks-"));
// Executed copies of passing notebooks are deleted; a failing one's copy stays for inspection.
after(() => {
  if (readdirSync(outDir).length === 0) rmSync(outDir, { recursive: true, force: true });
});

test("there is at least one notebook to execute", () => {
  assert.ok(notebooks.length > 0, `no .ipynb files under ${notebooksDir}`);
});

for (const file of notebooks) {
  const name = relative(notebooksDir, file);
  const meta = JSON.parse(readFileSync(file, "utf8")).metadata ?? {};
  const timeoutS = Number(meta.wayfinder?.timeout ?? DEFAULT_TIMEOUT_S);
  test(`notebook ${name} executes without errors`, { timeout: (timeoutS + 60) * 1000 }, () => {
    const problem = setupProblem();
    assert.equal(problem, undefined, problem);
    const out = join(outDir, name.replace(/[/\\]/g, "__"));
    const started = Date.now();
    const r = spawnSync(python, [runner, file, out, String(timeoutS)], {
      cwd: notebooksDir,
      encoding: "utf8",
      timeout: timeoutS * 1000,
      killSignal: "SIGKILL",
      env: { ...process.env, JUPYTER_PATH: jupyterPath },
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (r.error || r.status !== 0) {
      assert.fail(`${name}: the notebook runner did not finish (${r.error ? r.error.message : `exit ${r.status}`}) after ${seconds} s\n${r.stderr}`);
    }
    const report = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}");
    if (!report.ok) {
      const where = report.cell === null ? "before any cell ran" : `cell ${report.cell}`;
      assert.fail(
        `${name}: ${where} failed\n--- cell source ---\n${report.source}\n--- error ---\n${report.error}\n--- executed copy: ${out}`,
      );
    }
    console.log(`# ${name}: ${report.cells} cells executed in ${seconds} s`);
    rmSync(out, { force: true });
  });
}
