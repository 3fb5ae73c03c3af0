/**
 * Size of SQLite's WebAssembly heap. The bundle's build plugin (build/sqlite-wasm-plugin.mjs) publishes
 * emscripten's memory on a global; outside the bundle (unit tests under tsx) it is unknown.
 */
const WASM_MEMORY_GLOBAL = "__kubeLiteSqliteWasmMemory";

/** Bytes of the wasm linear memory (it only grows), or undefined when not running from the bundle. */
export function sqliteWasmHeapBytes(): number | undefined {
  const memory = (globalThis as Record<string, unknown>)[WASM_MEMORY_GLOBAL] as WebAssembly.Memory | undefined;
  return memory?.buffer.byteLength;
}
