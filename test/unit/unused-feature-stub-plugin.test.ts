import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { runInNewContext } from "node:vm";
import { build } from "esbuild";
import { unusedFeatureStubPlugin } from "../../build/unused-feature-stub-plugin.mjs";
import { sourceFiles } from "./source-files.js";

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
  assert.ok(inputs.includes("unused-feature-stub:tar-fs") && !inputs.some((f) => /node_modules\/(.*\/)?(tar-fs|bl)\//.test(f)), "no build-context tar code is bundled");
});

test("pino keeps logging JSON lines without its transport machinery, and pino.transport fails clearly", async () => {
  const source = `const { Writable } = require("node:stream");
    const pino = require("pino");
    const lines = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    pino({ base: undefined }, sink).info({ pods: 2 }, "synced");
    module.exports = { lines, transport: () => pino.transport({ target: "pino-pretty" }), viaOption: () => pino({ transport: { target: "pino-pretty" } }) };`;
  const out = await build({ stdin: { contents: source, resolveDir: process.cwd(), loader: "js" }, bundle: true, platform: "node", format: "cjs", write: false, logLevel: "silent", metafile: true, plugins: [unusedFeatureStubPlugin()] });
  const inputs = Object.keys(out.metafile!.inputs);
  assert.ok(!inputs.some((f) => /node_modules\/(thread-stream|pino\/lib\/transport)/.test(f)), "no transport code is bundled");
  assert.ok(inputs.includes("replaced-module:worker_threads"), "pino's worker_threads import is the fixed answer");
  const module = { exports: {} as Record<string, unknown> };
  runInNewContext(out.outputFiles[0]!.text, { module, exports: module.exports, require: createRequire(import.meta.url), Proxy, Error, process, Buffer, setTimeout, clearTimeout, setImmediate, queueMicrotask });
  const { lines, transport, viaOption } = module.exports as { lines: string[]; transport: () => unknown; viaOption: () => unknown };
  assert.equal(lines.length, 1);
  assert.deepEqual({ ...JSON.parse(lines[0]!), time: 0 }, { level: 30, time: 0, pods: 2, msg: "synced" });
  assert.throws(transport, /pino\/lib\/transport is not part of kube-lite \(pino transports/);
  assert.throws(viaOption, /pino\/lib\/transport is not part of kube-lite \(pino transports/);
});

test("docker-modem's debug tracing is an inert logger; other packages keep the real debug", async () => {
  const out = await build({ stdin: { contents: `require("dockerode"); require("spdy-transport");`, resolveDir: process.cwd(), loader: "js" }, bundle: true, platform: "node", format: "cjs", write: false, logLevel: "silent", metafile: true, plugins: [unusedFeatureStubPlugin()] });
  const inputs = out.metafile!.inputs;
  const modem = Object.entries(inputs).find(([f]) => /node_modules\/docker-modem\/lib\/modem\.js$/.test(f))![1];
  assert.ok(modem.imports.some((i) => i.path === "replaced-module:debug"), "docker-modem gets the inert debug");
  assert.ok(Object.keys(inputs).some((f) => /node_modules\/debug\/src\//.test(f)), "spdy-transport still bundles the real debug");
});

test("docker-modem's HttpDuplex is built on Node's stream.Duplex; spdy-transport keeps readable-stream", async () => {
  const source = `const { Duplex } = require("node:stream");
    const { EventEmitter } = require("node:events");
    const HttpDuplex = require("docker-modem/lib/http_duplex");
    const req = Object.assign(new EventEmitter(), { written: [], write(c, e, cb) { this.written.push(String(c)); cb?.(); }, end() {} });
    const res = new EventEmitter();
    const d = new HttpDuplex(req, res);
    d.write("stdin");
    require("spdy-transport");
    module.exports = { isNodeDuplex: d instanceof Duplex, written: req.written };`;
  const out = await build({ stdin: { contents: source, resolveDir: process.cwd(), loader: "js" }, bundle: true, platform: "node", format: "cjs", write: false, logLevel: "silent", metafile: true, plugins: [unusedFeatureStubPlugin()] });
  const inputs = out.metafile!.inputs;
  const duplex = Object.entries(inputs).find(([f]) => /node_modules\/docker-modem\/lib\/http_duplex\.js$/.test(f))![1];
  assert.ok(duplex.imports.some((i) => i.path === "replaced-module:readable-stream"), "docker-modem gets Node's stream");
  assert.ok(Object.keys(inputs).some((f) => /node_modules\/readable-stream\/lib\//.test(f)), "spdy-transport still bundles readable-stream");
  const module = { exports: {} as Record<string, unknown> };
  runInNewContext(out.outputFiles[0]!.text, { module, exports: module.exports, require: createRequire(import.meta.url), Proxy, Error, process, Buffer, setTimeout, clearTimeout, setImmediate, queueMicrotask });
  assert.equal(module.exports.isNodeDuplex, true);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual([...(module.exports.written as string[])], ["stdin"]);
});

test("nothing in src/ imports worker_threads, which the fixed worker_threads answer for pino relies on", () => {
  const offenders = sourceFiles("src").filter(({ text }) => /["'](node:)?worker_threads["']/.test(text));
  assert.deepEqual(offenders.map((f) => f.file), []);
});

test("ws without zlib: an uncompressed WebSocket works, and asking for compression fails clearly", async () => {
  const source = `const { WebSocket, WebSocketServer } = require("ws");
    module.exports = (perMessageDeflate) => new Promise((resolve, reject) => {
      const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate });
      wss.on("connection", (ws) => ws.on("message", (m) => ws.send("echo " + m)));
      wss.on("listening", () => {
        let ws;
        try { ws = new WebSocket("ws://127.0.0.1:" + wss.address().port, { perMessageDeflate }); } catch (err) { wss.close(); return reject(err); }
        ws.on("open", () => { try { ws.send("hi"); } catch (err) { ws.terminate(); wss.close(); reject(err); } });
        ws.on("message", (m) => { ws.close(); wss.close(); resolve(String(m)); });
        ws.on("error", (err) => { wss.close(); reject(err); });
      });
    });`;
  const out = await build({ stdin: { contents: source, resolveDir: process.cwd(), loader: "js" }, bundle: true, platform: "node", format: "cjs", write: false, logLevel: "silent", metafile: true, plugins: [unusedFeatureStubPlugin()] });
  const deflate = Object.entries(out.metafile!.inputs).find(([f]) => /ws\/lib\/permessage-deflate\.js$/.test(f))![1];
  assert.ok(deflate.imports.some((i) => i.path === "unused-feature-stub:zlib") && !deflate.imports.some((i) => i.path === "zlib"), "ws gets the zlib stub");
  const module = { exports: {} as unknown };
  runInNewContext(out.outputFiles[0]!.text, { module, exports: module.exports, require: createRequire(import.meta.url), Proxy, Error, Buffer, process, setTimeout, clearTimeout, setImmediate, queueMicrotask, Symbol });
  const echo = module.exports as (perMessageDeflate: boolean) => Promise<string>;
  assert.equal(await echo(false), "echo hi");
  await assert.rejects(echo(true), /zlib is not part of kube-lite \(WebSocket per-message compression/);
});

test("every WebSocket in src/ turns per-message compression off, which the zlib stub relies on", () => {
  const missing: string[] = [];
  let sockets = 0;
  for (const { file, text } of sourceFiles("src")) {
    for (const m of text.matchAll(/new (WebSocket|WebSocketServer)\(/g)) {
      sockets++;
      // The options object follows within the call: find its perMessageDeflate setting.
      if (!/perMessageDeflate: false/.test(text.slice(m.index, m.index + 600))) missing.push(`${file}: ${m[0]}`);
    }
  }
  assert.ok(sockets >= 5, `found the WebSockets (${sockets})`);
  assert.deepEqual(missing, []);
});
