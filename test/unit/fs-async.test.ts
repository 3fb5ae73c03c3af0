import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { close, fsync, open, writeFile } from "../../src/agent/fs-async.js";
import { sourceFiles } from "./source-files.js";

test("a file written through a descriptor is synced, keeps its mode, and 'wx' refuses to overwrite", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fs-async-"));
  try {
    const file = path.join(dir, "key");
    const fd = await open(file, "wx", 0o600);
    try {
      await writeFile(fd, "secret\n");
      await fsync(fd);
    } finally {
      await close(fd);
    }
    assert.equal(readFileSync(file, "utf8"), "secret\n");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await assert.rejects(open(file, "wx", 0o600), { code: "EEXIST" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("nothing the agent bundles loads node:fs/promises (it drags in Node's readline; see src/agent/fs-async.ts)", () => {
  const offenders = sourceFiles("src/agent", "src/shared").filter(({ text }) => /["'](node:)?fs\/promises["']|\bpromises\s+as\b|\bfs\.promises\b/.test(text));
  assert.deepEqual(offenders.map((f) => f.file), []);
});
