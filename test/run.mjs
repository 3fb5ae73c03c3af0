// Runs the test suites with node's built-in runner (TypeScript through tsx).
// `node test/run.mjs` runs everything; `node test/run.mjs unit` only test/unit.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const suites = process.argv.slice(2);
const roots = suites.length ? suites.map((s) => join("test", s)) : ["test/unit", "test/bench", "test/integration"];
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith(".test.ts")) files.push(p);
  }
}
for (const r of roots) walk(r);
const concurrency = process.env.TEST_CONCURRENCY ?? "2";
// A test file that has not finished after this long is hung (the slowest takes about a minute): it fails
// with its name in the report instead of holding the run until CI's own limit.
const fileTimeoutMs = process.env.TEST_FILE_TIMEOUT_MS ?? String(15 * 60_000);
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, `--test-timeout=${fileTimeoutMs}`, ...files], { stdio: "inherit" });
process.exit(r.status ?? 1);
