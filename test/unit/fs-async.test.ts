import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { close, fsync, open, writeFile } from "../../src/agent/fs-async.js";

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
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ts$/.test(e.name) && /["'](node:)?fs\/promises["']|\bpromises\s+as\b|\bfs\.promises\b/.test(readFileSync(p, "utf8"))) offenders.push(p);
    }
  };
  for (const dir of ["src/agent", "src/shared"]) walk(path.join(import.meta.dirname, "..", "..", dir));
  assert.deepEqual(offenders, []);
});
