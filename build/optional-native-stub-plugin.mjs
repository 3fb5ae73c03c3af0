// Optional native add-ons that dependencies try to load inside try/catch (ws: bufferutil,
// utf-8-validate; dockerode's ssh2: cpu-features, sshcrypto.node; debug: supports-color).
// A single executable can require only builtins, so they resolve to a module that throws
// MODULE_NOT_FOUND at run time, which those dependencies already handle.
const OPTIONAL = /^(bufferutil|utf-8-validate|cpu-features|supports-color)$|sshcrypto\.node$|\.node$/;

export function optionalNativeStubPlugin() {
  return {
    name: "optional-native-stub",
    setup(b) {
      b.onResolve({ filter: OPTIONAL }, (args) => ({ path: args.path, namespace: "optional-native-stub" }));
      b.onLoad({ filter: /.*/, namespace: "optional-native-stub" }, (args) => ({
        contents: `const e = new Error(${JSON.stringify("Cannot find module '" + args.path + "'")}); e.code = "MODULE_NOT_FOUND"; throw e;`,
        loader: "js",
      }));
    },
  };
}
