// esbuild plugin: leave out dependency code kube-lite never runs, keeping a clear error if it ever does.
//
// dockerode loads its whole optional tree when it is required, although we only talk to the local
// engine socket: ssh2 (Docker over ssh://; it also instantiates a WebAssembly poly1305 with a 16 MiB
// memory at load), @grpc/grpc-js and @grpc/proto-loader (BuildKit sessions of `docker build`), and
// protobufjs (BuildKit build progress). Measured on the agent with 20 pods: these modules were about
// 1 MiB of bundle source and, once evaluated, most of the agent's non-V8 anonymous memory.
//
// Each left-out module resolves to a stub whose every property is a function that throws
// "<module> is not part of kube-lite (<feature>)"; property reads at load time (docker-modem reads
// `require("ssh2").Client`) still work, so only a real use fails, and it fails loudly.

/** Left-out modules: name → the feature that would need it (shown in the error). */
const LEFT_OUT = {
  ssh2: "Docker over ssh://; use the engine's local socket",
  "@grpc/grpc-js": "BuildKit sessions of docker build",
  "@grpc/proto-loader": "BuildKit sessions of docker build",
};

/** Left out only when required from inside these packages (the server uses protobufjs itself). */
const LEFT_OUT_FROM = {
  protobufjs: { importer: /[\\/]node_modules[\\/]dockerode[\\/]/, feature: "BuildKit progress of docker build" },
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
      const names = [...Object.keys(LEFT_OUT), ...Object.keys(LEFT_OUT_FROM)].map((n) => n.replace(/[/.]/g, "\\$&"));
      b.onResolve({ filter: new RegExp(`^(${names.join("|")})$`) }, (args) => {
        const scoped = LEFT_OUT_FROM[args.path];
        if (scoped && !scoped.importer.test(args.importer)) return undefined;
        return { path: args.path, namespace: "unused-feature-stub" };
      });
      b.onLoad({ filter: /.*/, namespace: "unused-feature-stub" }, (args) => ({
        contents: stubSource(args.path, LEFT_OUT[args.path] ?? LEFT_OUT_FROM[args.path].feature),
        loader: "js",
      }));
    },
  };
}
