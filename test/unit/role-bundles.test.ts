import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { build } from "esbuild";
import { rolesPlugin, roleEntrySource } from "../../build/role-bundles.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");

test("the entry bundle holds the CLI only; each role module src/cli.ts imports is loaded from its role bundle", async () => {
  const modules: Partial<Record<"server" | "agent", Set<string>>> = {};
  const out = await build({ entryPoints: [path.join(ROOT, "src/cli.ts")], bundle: true, platform: "node", format: "cjs", write: false, metafile: true, logLevel: "silent", plugins: [rolesPlugin(modules)] });
  assert.ok(modules.server?.has("src/server/server.ts"), "server.ts goes to the server bundle");
  assert.ok(modules.agent?.has("src/agent/main.ts"), "main.ts goes to the agent bundle");
  const inputs = Object.keys(out.metafile!.inputs);
  assert.ok(!inputs.some((f) => f.startsWith("src/server/") || f.startsWith("src/agent/") || f.includes("node_modules")), `no role or dependency code in the entry: ${inputs.join(", ")}`);
  const text = out.outputFiles[0]!.text;
  assert.match(text, /loadRoleBundle\("kube-lite-agent\.cjs"\)\["src\/agent\/main\.ts"\]/);
  assert.ok(text.length < 100_000, `entry is ${text.length} bytes`);
});

test("a dynamic import from src/cli.ts outside the role folders fails the build", async () => {
  // The stdin module stands in for src/cli.ts (same path), importing a shared module that belongs to no role.
  const stdin = { contents: `import("./shared/version.js")`, resolveDir: path.join(ROOT, "src"), sourcefile: path.join(ROOT, "src/cli.ts") };
  await assert.rejects(build({ stdin, bundle: true, platform: "node", format: "cjs", write: false, logLevel: "silent", plugins: [rolesPlugin({})] }), /belongs to no role bundle/);
});

test("a role bundle exports each module under its path", () => {
  assert.equal(roleEntrySource(new Set(["src/agent/main.ts", "src/agent/config.ts"])), 'exports["src/agent/config.ts"] = require("./src/agent/config.ts");\nexports["src/agent/main.ts"] = require("./src/agent/main.ts");');
});
