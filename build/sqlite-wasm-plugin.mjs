// Placeholder until the storage work lands: no transformation.
export function sqliteWasmPlugin() {
  return { name: "sqlite-wasm", setup() {} };
}
