// Loads a role bundle (dist/kube-lite-server.cjs, dist/kube-lite-agent.cjs; see build/role-bundles.mjs).
// Bundled into the entry dist/kube-lite.cjs, so `__dirname` is dist/ and `require` is the entry's.
//
// From dist/ the file beside the entry is required as usual. In the single executable there is no file:
// Node's `require` loads builtins only, and the role bundle is a SEA asset (node:sea, Node >= 20.12), so
// its source is compiled as a CommonJS module body here; role bundles require only builtins (the build
// makes sure of that, see packaging/README.md).
"use strict";
const path = require("node:path");

const loaded = new Map();

/** Node's single-executable API, or undefined outside a single executable. */
function seaApi() {
  try {
    const sea = require("node:sea");
    return sea.isSea() ? sea : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The exports of a role bundle, loaded once.
 *
 * @example loadRoleBundle("kube-lite-agent.cjs")["src/agent/main.ts"].runAgentUntilSignal
 */
exports.loadRoleBundle = function loadRoleBundle(file) {
  let exported = loaded.get(file);
  if (exported) return exported;
  const filename = path.join(__dirname, file);
  const sea = seaApi();
  if (sea) {
    const module = { exports: {} };
    const body = require("node:vm").compileFunction(sea.getAsset(file, "utf8"), ["exports", "require", "module", "__filename", "__dirname"], { filename });
    body.call(module.exports, module.exports, require, module, filename, __dirname);
    exported = module.exports;
  } else {
    exported = require(filename);
  }
  loaded.set(file, exported);
  return exported;
};
