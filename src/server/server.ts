import type { ServerConfig } from "./config.js";

/** Wires storage, the API server and the controllers together. (Being written in this change.) */
export async function runServer(config: ServerConfig): Promise<number> {
  throw new Error(`server not wired yet (data dir ${config.dataDir})`);
}
