// Bundles the CLI into one CommonJS file, dist/kube-lite.cjs (Node's single-executable
// applications accept only a CommonJS main; see packaging/README.md).
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { sqliteWasmPlugin } from "./build/sqlite-wasm-plugin.mjs";
import { optionalNativeStubPlugin } from "./build/optional-native-stub-plugin.mjs";
import { unusedFeatureStubPlugin } from "./build/unused-feature-stub-plugin.mjs";
import { generateSchemas } from "./build/gen-schemas.mjs";

const started = Date.now();
mkdirSync("dist", { recursive: true });
// OpenAPI schemas and our TypeScript types come from the same upstream definitions (kubernetes-types).
await generateSchemas();

await build({
  entryPoints: ["src/cli.ts"],
  outfile: "dist/kube-lite.cjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: "linked",
  legalComments: "none",
  // Smaller source in memory (the whole bundle stays resident as a string) and faster start-up;
  // identifiers are kept so stack traces stay readable without the source map.
  minifyWhitespace: true,
  minifySyntax: true,
  charset: "ascii",
  logLevel: "warning",
  loader: { ".wasm": "binary" },
  plugins: [sqliteWasmPlugin(), optionalNativeStubPlugin(), unusedFeatureStubPlugin()],
  banner: { js: "#!/usr/bin/env node" },
});
console.log(`built dist/kube-lite.cjs in ${Date.now() - started} ms`);
