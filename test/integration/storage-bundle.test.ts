// The bundled storage layer must run with no node_modules in reach: node-sqlite3-wasm's .wasm comes
// from the bundle (build/sqlite-wasm-plugin.mjs), not from the file system.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { build } from "esbuild";
// @ts-expect-error: plain .mjs build helper without type declarations
import { sqliteWasmPlugin } from "../../build/sqlite-wasm-plugin.mjs";

const repo = resolve(".");

test("a store opened from a CommonJS bundle works without node_modules", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "kube-lite-bundle-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const entry = join(dir, "entry.ts");
  writeFileSync(
    entry,
    `import { openStore } from ${JSON.stringify(join(repo, "src/server/storage/index.ts"))};
     async function main(): Promise<void> {
       const store = await openStore({ dataDir: process.argv[2]! });
       const kv = await store.create("/bundle/a", "hello");
       const got = await store.get("/bundle/a");
       await store.close();
       console.log(JSON.stringify({ rev: kv.modRevision, value: got?.value }));
     }
     main().catch((e) => { console.error(e); process.exit(1); });`,
  );
  const out = join(dir, "bundle.cjs");
  // The same settings as build.mjs for dist/kube-lite.cjs.
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "silent",
    loader: { ".wasm": "binary" },
    plugins: [sqliteWasmPlugin()],
  });
  const bundle = readFileSync(out, "utf8");
  assert.ok(!bundle.includes('var Module=typeof Module!="undefined"?Module:{};'), "prologue was rewritten");
  const r = spawnSync(process.execPath, [out, join(dir, "data")], { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_PATH: "" } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split("\n").at(-1)!), { rev: 1, value: "hello" });
});

test("the plugin fails the build when the emscripten prologue is missing", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "kube-lite-bundle-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A fake package at the path the plugin matches, whose prologue differs (as after an upgrade).
  const pkgDir = join(dir, "node_modules", "node-sqlite3-wasm", "dist");
  mkdirSync(pkgDir, { recursive: true });
  writeFileSync(join(pkgDir, "node-sqlite3-wasm.js"), "var Module = globalThis.Module || {};\nmodule.exports = {};\n");
  writeFileSync(join(dir, "entry.js"), 'require("./node_modules/node-sqlite3-wasm/dist/node-sqlite3-wasm.js");\n');
  await assert.rejects(
    build({ entryPoints: [join(dir, "entry.js")], outfile: join(dir, "out.cjs"), bundle: true, platform: "node", format: "cjs", logLevel: "silent", plugins: [sqliteWasmPlugin()] }),
    /emscripten prologue/,
  );
});
