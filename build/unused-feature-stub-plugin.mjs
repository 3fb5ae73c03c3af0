// esbuild plugin: leave out dependency code kube-lite never runs, keeping a clear error if it ever does.
//
// dockerode loads its whole optional tree when it is required, although we only talk to the local
// engine socket: ssh2 (Docker over ssh://; it also instantiates a WebAssembly poly1305 with a 16 MiB
// memory at load), @grpc/grpc-js and @grpc/proto-loader (BuildKit sessions of `docker build`), and
// protobufjs (BuildKit build progress). Measured on the agent with 20 pods: these modules were about
// 1 MiB of bundle source and, once evaluated, most of the agent's non-V8 anonymous memory.
//
// pino likewise loads its transport machinery (thread-stream, worker threads, `module`) although
// kube-lite only writes JSON lines to stdout (src/shared/log.ts); docker-modem loads `debug` (with
// `tty`) for its DEBUG=modem tracing; sonic-boom loads `assert` for one argument check; ws and
// dockerode load zlib for compression kube-lite never turns on. Each pulls Node built-in modules into
// every process (their code and compiled functions): measured in a bundle of https + pino +
// dockerode, these were about 0.8 MB of RSS, and zlib about 0.2 MB more.
//
// Each left-out module resolves to a stub whose every property is a function that throws
// "<module> is not part of kube-lite (<feature>)"; property reads at load time (docker-modem reads
// `require("ssh2").Client`) still work, so only a real use fails, and it fails loudly. A replaced
// module resolves to a small fixed equivalent instead (REPLACED below says what it answers and why).

/** Left-out modules: name → the feature that would need it (shown in the error). */
const LEFT_OUT = {
  ssh2: "Docker over ssh://; use the engine's local socket",
  "@grpc/grpc-js": "BuildKit sessions of docker build",
  "@grpc/proto-loader": "BuildKit sessions of docker build",
};

/**
 * Left out only when required from inside these packages (the server uses protobufjs itself); `name`,
 * where given, is how the error names a module required by a relative path.
 */
const LEFT_OUT_FROM = {
  protobufjs: { importer: /[\\/]node_modules[\\/]dockerode[\\/]/, feature: "BuildKit progress of docker build" },
  // pino.transport() and the `transport` option; pino.js and lib/tools.js require it by relative path.
  "./transport": { name: "pino/lib/transport", importer: /[\\/]node_modules[\\/]pino[\\/]lib[\\/]tools\.js$/, feature: "pino transports, which run in worker threads; kube-lite logs JSON lines to stdout" },
  "./lib/transport": { name: "pino/lib/transport", importer: /[\\/]node_modules[\\/]pino[\\/]pino\.js$/, feature: "pino transports, which run in worker threads; kube-lite logs JSON lines to stdout" },
  // dockerode's build contexts (`docker build` from a directory: a tar of it, filtered by .dockerignore),
  // the only use of tar-fs and its tar-stream/bl/readable-stream copies; kube-lite builds no images.
  "tar-fs": { importer: /[\\/]node_modules[\\/]dockerode[\\/]lib[\\/]util\.js$/, feature: "docker build from a directory context" },
  "@balena/dockerignore": { importer: /[\\/]node_modules[\\/]dockerode[\\/]lib[\\/]util\.js$/, feature: "docker build from a directory context" },
  // zlib for WebSocket per-message compression: every WebSocket kube-lite opens or accepts sets
  // perMessageDeflate: false (the tunnel, exec, attach, port-forward), so ws never compresses; and for
  // dockerode's gzipped build contexts (`docker build` from a directory), which kube-lite never sends.
  zlib: { importer: /[\\/]node_modules[\\/](ws[\\/]lib[\\/]permessage-deflate|dockerode[\\/]lib[\\/]util)\.js$/, feature: "WebSocket per-message compression and docker build contexts" },
};

/** Replaced by a fixed equivalent when required from inside these packages. */
const REPLACED = {
  // docker-modem's tracing (`require("debug")("modem")`): a logger that is never enabled. Tracing
  // Docker calls is what kube-lite's own debug logs do (KUBE_LITE_LOG_LEVEL=debug).
  debug: {
    importer: /[\\/]node_modules[\\/]docker-modem[\\/]/,
    source: `"use strict";
function createDebug() { const log = function () {}; log.enabled = false; log.extend = () => log; return log; }
createDebug.enable = function () {}; createDebug.disable = function () { return ""; }; createDebug.enabled = function () { return false; };
module.exports = createDebug;
`,
  },
  // sonic-boom (pino's stdout writer) checks one argument with assert(); the real module also loads
  // Node's assertion machinery (error diffs, colours, tty) for it.
  assert: {
    importer: /[\\/]node_modules[\\/]sonic-boom[\\/]/,
    source: `"use strict";
function assert(value, message) { if (!value) throw Object.assign(new Error(message || "assertion failed"), { code: "ERR_ASSERTION" }); }
assert.ok = assert;
module.exports = assert;
`,
  },
  // pino reads only isMainThread, to decide whether an asynchronous destination is flushed at exit.
  // kube-lite starts no worker threads (nothing in src/ imports worker_threads), so every pino logger
  // runs on the main thread; the real module would load Node's worker machinery for this one answer.
  worker_threads: {
    importer: /[\\/]node_modules[\\/]pino[\\/]lib[\\/]tools\.js$/,
    source: `"use strict";\nmodule.exports = { isMainThread: true };\n`,
  },
  // docker-modem's HttpDuplex (an attach with stdin but without hijack) inherits from readable-stream's
  // Duplex, a userland copy of Node 10's streams (55 kB of source the agent would hold). Node's own
  // stream module has the same classes, and is what readable-stream itself answers with
  // READABLE_STREAM=disable.
  "readable-stream": {
    importer: /[\\/]node_modules[\\/]docker-modem[\\/]/,
    source: `"use strict";\nmodule.exports = require("stream");\n`,
  },
};

function stubSource(name, feature) {
  const message = JSON.stringify(`${name} is not part of kube-lite (${feature})`);
  // A callable, constructible Proxy: property reads give another such stub; calling or `new` throws.
  return `"use strict";
function fail() { throw new Error(${message}); }
function stub() {
  return new Proxy(function () {}, {
    get(_t, key) { return key === "__esModule" || key === "then" || typeof key === "symbol" ? undefined : stub(); },
    apply: fail,
    construct: fail,
  });
}
module.exports = stub();
`;
}

/**
 * @example build({ ..., plugins: [unusedFeatureStubPlugin()] })
 */
export function unusedFeatureStubPlugin() {
  return {
    name: "unused-feature-stub",
    setup(b) {
      const names = [...Object.keys(LEFT_OUT), ...Object.keys(LEFT_OUT_FROM), ...Object.keys(REPLACED)].map((n) => n.replace(/[/.]/g, "\\$&"));
      b.onResolve({ filter: new RegExp(`^(${names.join("|")})$`) }, (args) => {
        const replaced = REPLACED[args.path];
        if (replaced) return replaced.importer.test(args.importer) ? { path: args.path, namespace: "replaced-module" } : undefined;
        const scoped = LEFT_OUT_FROM[args.path];
        if (scoped && !scoped.importer.test(args.importer)) return undefined;
        return { path: args.path, namespace: "unused-feature-stub" };
      });
      b.onLoad({ filter: /.*/, namespace: "unused-feature-stub" }, (args) => ({
        contents: stubSource(LEFT_OUT_FROM[args.path]?.name ?? args.path, LEFT_OUT[args.path] ?? LEFT_OUT_FROM[args.path].feature),
        loader: "js",
      }));
      b.onLoad({ filter: /.*/, namespace: "replaced-module" }, (args) => ({ contents: REPLACED[args.path].source, loader: "js" }));
    },
  };
}
