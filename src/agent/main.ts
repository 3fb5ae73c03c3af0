/**
 * The `kube-lite agent` process: runs the agent until SIGTERM/SIGINT. A wrong token or CA is a usage
 * error (exit 2 with the message), never a hang.
 */
import { componentLogger } from "../shared/log.js";
import { UsageError } from "../shared/usage-error.js";
import type { AgentCliConfig } from "./config.js";
import { runAgent } from "./agent.js";
import { TunnelJoinError } from "./tunnel/index.js";

export async function runAgentUntilSignal(config: AgentCliConfig): Promise<number> {
  const log = componentLogger("agent");
  let agent;
  try {
    agent = await runAgent({ ...config, roles: [], logger: log });
  } catch (err) {
    if (err instanceof TunnelJoinError) throw new UsageError(err.message);
    throw err;
  }
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      log.info({ signal }, "stopping the agent (pods keep running)");
      agent.stop().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}
