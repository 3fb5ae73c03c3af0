/**
 * The `kube-lite agent` process: runs the agent until SIGTERM/SIGINT. A wrong token or CA is a usage
 * error (exit 2 with the message), never a hang. With `--runtime sim --sim-nodes N` the process hosts N
 * simulated nodes (kwok-style), each a full agent with its own tunnel, credentials and kubelet.
 */
import path from "node:path";
import { componentLogger, type Logger } from "../shared/log.js";
import { UsageError } from "../shared/usage-error.js";
import { IdleMemoryTrimmer } from "../shared/idle-memory.js";
import type { AgentCliConfig } from "./config.js";
import { runAgent, type RunningAgent } from "./agent.js";
import { TunnelJoinError } from "./tunnel/index.js";

/**
 * Simulated nodes joining at the same time. Each join is a TLS handshake, a key pair and a certificate
 * the server signs, then a node registration and a pod list: a few at a time keeps a large
 * `--sim-nodes` from queueing them all behind one another on a small server.
 */
const SIM_NODE_JOIN_CONCURRENCY = 8;

/**
 * Node names of `--sim-nodes N`: the name itself for one node, `<name>-0 … <name>-(N-1)` for more (kwok's naming).
 *
 * @example simNodeNames("sim", 3) // ["sim-0", "sim-1", "sim-2"]
 */
export function simNodeNames(base: string, count: number): string[] {
  return count === 1 ? [base] : Array.from({ length: count }, (_v, i) => `${base}-${i}`);
}

/**
 * Starts every simulated node of the config, each with its data dir `DATA/sim/<node>`; if one fails to
 * join, the ones already running are stopped and the error is the result.
 *
 * @example const agents = await runSimulatedAgents({ ...config, runtime: "sim", simNodes: 50 }, log);
 */
export async function runSimulatedAgents(config: AgentCliConfig, log: Logger): Promise<RunningAgent[]> {
  const names = simNodeNames(config.nodeName, config.simNodes);
  const agents: RunningAgent[] = [];
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (next < names.length && failed === undefined) {
      const nodeName = names[next++]!;
      try {
        agents.push(
          await runAgent({
            ...config,
            nodeName,
            dataDir: path.join(config.dataDir, "sim", nodeName),
            roles: [],
            runtime: "sim",
            trimIdleMemory: false,
            logger: log.child({ node: nodeName }),
          }),
        );
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SIM_NODE_JOIN_CONCURRENCY, names.length) }, worker));
  if (failed !== undefined) {
    await Promise.allSettled(agents.map((a) => a.stop()));
    throw failed;
  }
  log.info({ nodes: names.length, first: names[0], last: names[names.length - 1] }, "simulated nodes are running");
  return agents;
}

export async function runAgentUntilSignal(config: AgentCliConfig): Promise<number> {
  const log = componentLogger("agent");
  let agents: RunningAgent[];
  let trimmer: IdleMemoryTrimmer | undefined;
  try {
    if (config.runtime === "sim") {
      agents = await runSimulatedAgents(config, log);
      // One trimmer for the process, not one per simulated node.
      trimmer = new IdleMemoryTrimmer({ watchCpu: true });
    } else {
      agents = [await runAgent({ ...config, roles: [], logger: log })];
    }
  } catch (err) {
    if (err instanceof TunnelJoinError) throw new UsageError(err.message);
    throw err;
  }
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      log.info({ signal }, config.runtime === "sim" ? "stopping the simulated nodes (their pods end with this process)" : "stopping the agent (pods keep running)");
      trimmer?.stop();
      Promise.all(agents.map((a) => a.stop())).then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}
