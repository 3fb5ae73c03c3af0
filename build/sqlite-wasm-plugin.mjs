// esbuild plugin: make node-sqlite3-wasm take its WebAssembly binary from the bundle.
//
// The package reads `fs.readFileSync(__dirname + "/node-sqlite3-wasm.wasm")` when it is first
// required; inside dist/kube-lite.cjs or a single executable that file does not exist. Its
// emscripten prologue cannot be seeded from outside (it declares its own `Module`), so we rewrite
// that one statement to declare `Module` with `wasmBinary` already set, from the .wasm file
// embedded by esbuild's `binary` loader (configured in build.mjs). Emscripten then instantiates
// from memory and never touches the file system for it.
//
// If an upgrade changes the prologue, the build fails here instead of shipping a binary that
// crashes at start-up.
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Where emscripten keeps the module's linear memory; we also publish it on a global so the server can
 * report the wasm heap size (memory diagnostics). Must match exactly once, like the prologue.
 */
const MEMORY_ASSIGNMENT = /wasmMemory=wasmExports\["\w+"\]/g;
export const WASM_MEMORY_GLOBAL = "__kubeLiteSqliteWasmMemory";

/** The statement we replace; it must occur exactly once in the package's main file. */
const PROLOGUE = 'var Module=typeof Module!="undefined"?Module:{};';
const WASM_FILE = "./node-sqlite3-wasm.wasm";
const MAIN_FILE = /[\\/]node-sqlite3-wasm[\\/]dist[\\/]node-sqlite3-wasm\.js$/;

export function sqliteWasmPlugin() {
  return {
    name: "sqlite-wasm",
    setup(build) {
      build.onLoad({ filter: MAIN_FILE }, async (args) => {
        const source = await readFile(args.path, "utf8");
        const at = source.indexOf(PROLOGUE);
        if (at < 0 || source.indexOf(PROLOGUE, at + 1) >= 0) {
          return {
            errors: [
              {
                text: `sqlite-wasm plugin: expected exactly one emscripten prologue ${JSON.stringify(PROLOGUE)} in ${args.path}; node-sqlite3-wasm changed, update build/sqlite-wasm-plugin.mjs`,
              },
            ],
          };
        }
        const memoryMatches = [...source.matchAll(MEMORY_ASSIGNMENT)];
        if (memoryMatches.length !== 1) {
          return { errors: [{ text: `sqlite-wasm plugin: expected exactly one ${MEMORY_ASSIGNMENT.source} in ${args.path}; node-sqlite3-wasm changed, update build/sqlite-wasm-plugin.mjs` }] };
        }
        // The binary loader exports the bytes as the module's default (a Uint8Array).
        const seeded = `var __kubeLiteWasm=require(${JSON.stringify(WASM_FILE)});var Module={wasmBinary:(__kubeLiteWasm&&__kubeLiteWasm.default)||__kubeLiteWasm};`;
        const withPrologue = source.slice(0, at) + seeded + source.slice(at + PROLOGUE.length);
        const contents = withPrologue.replace(MEMORY_ASSIGNMENT, (m) => `${m},globalThis.${WASM_MEMORY_GLOBAL}=wasmMemory`);
        return {
          contents,
          loader: "js",
          resolveDir: dirname(args.path),
        };
      });
    },
  };
}
