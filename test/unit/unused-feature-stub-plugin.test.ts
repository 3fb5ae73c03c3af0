import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { runInNewContext } from "node:vm";
import { build } from "esbuild";
import { unusedFeatureStubPlugin } from "../../build/unused-feature-stub-plugin.mjs";

/** Bundles `source` (CommonJS) with the plugin and runs it; returns its module.exports. */
async function bundleAndRun(source: string, resolveDir: string): Promise<Record<string, unknown>> {
  const out = await build({ stdin: { contents: source, resolveDir, loader: "js" }, bundle: true, platform: "node", format: "cjs", write: false, logLevel: "silent", plugins: [unusedFeatureStubPlugin()] });
  const module = { exports: {} as Record<string, unknown> };
  runInNewContext(out.outputFiles[0]!.text, { module, exports: module.exports, require: createRequire(import.meta.url), Proxy, Error });
  return module.exports;
}

test("left-out modules load, and fail with a clear message only when used", async () => {
  const exports = await bundleAndRun(
    `const Client = require("ssh2").Client; const grpc = require("@grpc/grpc-js");
     module.exports = { Client, newClient: () => new Client(), grpcServer: () => new grpc.Server(), esModule: require("ssh2").__esModule };`,
    process.cwd(),
  );
  assert.equal(typeof exports.Client, "function");
  assert.equal(exports.esModule, undefined);
  assert.throws(() => (exports.newClient as () => unknown)(), /ssh2 is not part of kube-lite \(Docker over ssh:\/\//);
  assert.throws(() => (exports.grpcServer as () => unknown)(), /@grpc\/grpc-js is not part of kube-lite \(BuildKit sessions/);
});

test("protobufjs is left out only where dockerode requires it", async () => {
  const out = await build({ stdin: { contents: `require("dockerode"); module.exports = require("protobufjs");`, resolveDir: process.cwd(), loader: "js" }, bundle: true, platform: "node", format: "cjs", write: false, logLevel: "silent", metafile: true, plugins: [unusedFeatureStubPlugin()] });
  const inputs = Object.keys(out.metafile!.inputs);
  // Our own require keeps the real protobufjs; dockerode's goes to the stub, and neither ssh2 nor grpc is bundled.
  assert.ok(inputs.some((f) => /node_modules\/protobufjs\/src\//.test(f)), "the real protobufjs is bundled for the importer outside dockerode");
  assert.ok(inputs.includes("unused-feature-stub:protobufjs"), "dockerode's protobufjs is the stub");
  assert.ok(!inputs.some((f) => /node_modules\/(ssh2|@grpc)\//.test(f)), "no ssh2 or grpc source is bundled");
});
