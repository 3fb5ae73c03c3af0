// Bundles the CLI into CommonJS (Node's single-executable applications accept only a CommonJS main;
// see packaging/README.md): the entry dist/kube-lite.cjs and one bundle per role beside it,
// dist/kube-lite-server.cjs and dist/kube-lite-agent.cjs, so an agent does not hold the server's code
// in memory (build/role-bundles.mjs explains the split).
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { sqliteWasmPlugin } from "./build/sqlite-wasm-plugin.mjs";
import { optionalNativeStubPlugin } from "./build/optional-native-stub-plugin.mjs";
import { unusedFeatureStubPlugin } from "./build/unused-feature-stub-plugin.mjs";
import { ROLES, rolesPlugin, roleEntrySource } from "./build/role-bundles.mjs";
import { generateSchemas } from "./build/gen-schemas.mjs";

const started = Date.now();
mkdirSync("dist", { recursive: true });
// OpenAPI schemas and our TypeScript types come from the same upstream definitions (kubernetes-types).
await generateSchemas();

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: "linked",
  legalComments: "none",
  // Smaller source in memory (a bundle stays resident as a string) and faster start-up;
  // identifiers are kept so stack traces stay readable without the source map.
  minifyWhitespace: true,
  minifySyntax: true,
  charset: "ascii",
  logLevel: "warning",
  loader: { ".wasm": "binary" },
};
const plugins = [sqliteWasmPlugin(), optionalNativeStubPlugin(), unusedFeatureStubPlugin()];

// The entry first, in memory: it tells which modules each role bundle must export.
const roleModules = {};
const entry = await build({
  ...common,
  entryPoints: ["src/cli.ts"],
  outfile: "dist/kube-lite.cjs",
  write: false,
  plugins: [...plugins, rolesPlugin(roleModules)],
  banner: { js: "#!/usr/bin/env node" },
});
for (const [role, modules] of Object.entries(roleModules)) {
  await build({
    ...common,
    stdin: { contents: roleEntrySource(modules), resolveDir: ".", sourcefile: `${role}-role.js`, loader: "js" },
    outfile: `dist/${ROLES[role].file}`,
    plugins,
  });
}
// The entry last, so a process starting mid-build never loads a new entry with old role bundles.
for (const f of entry.outputFiles) writeFileSync(f.path, f.contents);
console.log(`built dist/kube-lite.cjs with ${Object.keys(roleModules).map((r) => `dist/${ROLES[r].file}`).join(", ")} in ${Date.now() - started} ms`);
