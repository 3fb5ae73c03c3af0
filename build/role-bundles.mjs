// One bundle per role, so a process holds only the code of the role it runs.
//
// V8 keeps the whole source text of a script in memory for as long as any function of it lives (lazy
// compilation and Function.prototype.toString need it), so every `kube-lite agent` held the server's
// code too: the single bundle was a 5 MB string on the agent's heap, next to the 0.7 MB it runs.
//
// build.mjs therefore writes
//   dist/kube-lite.cjs          the entry: src/cli.ts (argument parsing, help, version), a few kB
//   dist/kube-lite-server.cjs   what `kube-lite server` runs (it embeds an agent, so agent code too)
//   dist/kube-lite-agent.cjs    what `kube-lite agent` and `kube-lite image` run
// src/cli.ts needs no change for this: every `await import("./server/…")` or `import("./agent/…")` it
// makes becomes a load of that role's bundle (rolesPlugin below), and the role bundle exports each such
// module under its path. A dynamic import from src/cli.ts of anything else fails the build, so nothing
// lands silently in the entry. The role bundles sit beside the entry; in the single executable they
// are SEA assets of the same names (build/role-bundle-loader.cjs loads them either way).

import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "src", "cli.ts");
const LOADER = join(ROOT, "build", "role-bundle-loader.cjs");

/** Roles by the source folder their modules live in. */
export const ROLES = {
  server: { folder: join(ROOT, "src", "server"), file: "kube-lite-server.cjs" },
  agent: { folder: join(ROOT, "src", "agent"), file: "kube-lite-agent.cjs" },
};

/** The role a source file belongs to, or undefined. */
function roleOf(path) {
  return Object.keys(ROLES).find((role) => !relative(ROLES[role].folder, path).startsWith(".."));
}

/**
 * esbuild plugin for the entry build: each dynamic import that src/cli.ts makes of a role's module
 * becomes `loadRoleBundle(<role file>)[<module path>]`. `modules` collects, per role, the module paths
 * (relative to the repository) the role bundle must export.
 *
 * @example const modules = {}; await build({ entryPoints: ["src/cli.ts"], plugins: [rolesPlugin(modules)] });
 */
export function rolesPlugin(modules) {
  return {
    name: "roles",
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.importer !== CLI || args.kind !== "dynamic-import" || args.pluginData?.roles) return undefined;
        const resolved = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { roles: true } });
        if (resolved.errors.length) return { errors: resolved.errors };
        const role = roleOf(resolved.path);
        if (!role) return { errors: [{ text: `src/cli.ts imports ${args.path} dynamically, which belongs to no role bundle (build/role-bundles.mjs: src/server/ or src/agent/)` }] };
        const module = relative(ROOT, resolved.path);
        (modules[role] ??= new Set()).add(module);
        return { path: `${role}:${module}`, namespace: "role-bundle", pluginData: { role, module } };
      });
      b.onLoad({ filter: /.*/, namespace: "role-bundle" }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(LOADER)}).loadRoleBundle(${JSON.stringify(ROLES[args.pluginData.role].file)})[${JSON.stringify(args.pluginData.module)}];`,
        resolveDir: ROOT,
        loader: "js",
      }));
    },
  };
}

/**
 * The entry source of a role bundle: exports each module src/cli.ts imports, keyed by its path.
 *
 * @example roleEntrySource(new Set(["src/agent/main.ts"])) // 'exports["src/agent/main.ts"] = require("./src/agent/main.ts");'
 */
export function roleEntrySource(modules) {
  return [...modules].sort().map((m) => `exports[${JSON.stringify(m)}] = require(${JSON.stringify("./" + m)});`).join("\n");
}
