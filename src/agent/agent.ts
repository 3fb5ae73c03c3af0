/**
 * `kube-lite agent` (and the server's embedded agent): wires the tunnel, the API client that rides
 * it, node registration and heartbeat, and the kubelet on its container runtime — Docker (with air-gap
 * image import) or, for scale work, the in-memory simulated runtime. Each part starts itself; this
 * file only connects them (k3s's pkg/agent/run.go).
 */
import os from "node:os";
import path from "node:path";
import { mkdirSync } from "node:fs";
import type { Taint } from "kubernetes-types/core/v1.js";
import type { Logger } from "../shared/log.js";
import { HttpApiClient } from "../shared/client/http-client.js";
import { connectTunnel, type TunnelClient } from "./tunnel/index.js";
import { NodeStatusReporter } from "./kubelet/node-status/index.js";
import { NodeLease } from "./kubelet/lease/index.js";
import { DockerRuntime } from "./kubelet/runtime/docker.js";
import { SimRuntime } from "./kubelet/runtime/sim.js";
import type { ContainerRuntime } from "./kubelet/runtime/types.js";
import { Kubelet } from "./kubelet/pod-workers/kubelet.js";
import { connectDocker } from "./kubelet/runtime/docker-client.js";
import { importImageTarball } from "./kubelet/images/docker-images.js";
import { watchImageDirectory } from "./kubelet/images/image-dir.js";
import type { KubeObject } from "../shared/api/types.js";
import { kubeletStreamHandler } from "./kubelet/streaming/index.js";
import { IdleMemoryTrimmer } from "../shared/idle-memory.js";
import type { AgentRuntimeKind } from "./config.js";

/** The cluster DNS Service IP pods get as nameserver (k3s default). */
export const CLUSTER_DNS = "10.43.0.10";
/** How long to wait for the server to assign this node its pod CIDR before giving up. */
const POD_CIDR_WAIT_MS = 60_000;

export interface AgentConfig {
  /** The server, `https://host:port`. */
  server: string;
  /** Join token (first join, or re-join); not needed once node credentials are stored. */
  token?: string;
  dataDir: string;
  nodeName: string;
  nodeIP?: string;
  labels: Record<string, string>;
  taints: Taint[];
  /** Role labels (`node-role.kubernetes.io/<role>`), e.g. ["control-plane"] for the embedded agent. */
  roles: string[];
  /** Docker engine socket; default DOCKER_HOST or /var/run/docker.sock. */
  dockerSocket?: string;
  /** `docker` (default) or `sim`: the in-memory runtime, which never contacts Docker. */
  runtime?: AgentRuntimeKind;
  /** Start a trimmer that gives memory back when the process is idle (default true; a process hosting many agents runs one itself). */
  trimIdleMemory?: boolean;
  logger: Logger;
}

/** The label every simulated node carries, so scale runs can select (or avoid) them. */
export const LABEL_SIMULATED_NODE = "node.kube-lite.io/simulated";

export interface RunningAgent {
  tunnel: TunnelClient;
  stop(): Promise<void>;
}

/** The node name a host gets by default: its hostname, lower-cased (node names are DNS subdomains). */
export function defaultNodeName(): string {
  return os.hostname().toLowerCase();
}

async function waitForPodCidr(client: HttpApiClient, nodeName: string, log: Logger): Promise<string> {
  const deadline = Date.now() + POD_CIDR_WAIT_MS;
  for (;;) {
    const node = (await client.get({ group: "", plural: "nodes" }, "", nodeName)) as KubeObject;
    const cidr = (node.spec as { podCIDR?: string } | undefined)?.podCIDR;
    if (cidr) return cidr;
    if (Date.now() > deadline) throw new Error(`the server assigned no pod CIDR to node ${nodeName} within ${POD_CIDR_WAIT_MS / 1000} s`);
    log.debug({ node: nodeName }, "waiting for a pod CIDR");
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The runtime a node's kubelet runs on, with what comes with it. */
interface NodeRuntime {
  runtime: ContainerRuntime;
  /** `nodeInfo.containerRuntimeVersion`, e.g. `docker://27.3.1`. */
  version: string;
  /** Labels the node carries because of its runtime. */
  labels: Record<string, string>;
  /** Starts the runtime's own background work once the node has joined; the result stops it. */
  startBackground(): { stop(): void };
}

/** Docker: the engine must answer before the node joins; tarballs in DATA/agent/images are imported. */
async function dockerNodeRuntime(config: AgentConfig, agentDir: string, log: Logger): Promise<NodeRuntime> {
  const runtime = new DockerRuntime({ nodeName: config.nodeName, rootDir: agentDir, socketPath: config.dockerSocket });
  let version: string;
  try {
    version = await runtime.version();
  } catch (err) {
    throw new Error(`cannot reach the Docker engine${config.dockerSocket ? ` at ${config.dockerSocket}` : ""}: ${(err as Error).message} (start Docker, or run the server with --disable-agent)`);
  }
  const docker = await connectDocker({ socketPath: config.dockerSocket });
  const imageLog = log.child({ component: "images" });
  return {
    runtime,
    version,
    labels: {},
    startBackground: () => {
      // Air-gap images: tarballs dropped here are imported at start and whenever they appear.
      const imagesDir = path.join(agentDir, "images");
      mkdirSync(imagesDir, { recursive: true });
      return watchImageDirectory(
        {
          dir: imagesDir,
          importTarball: (file, progress) => importImageTarball(docker, file, progress),
          imagePresent: async (name) => {
            try {
              await docker.getImage(name).inspect();
              return true;
            } catch {
              return false;
            }
          },
        },
        (outcomes) => {
          for (const o of outcomes) imageLog.info(o, "image tarball");
        },
        (err) => imageLog.warn({ err }, "importing image tarballs failed"),
      );
    },
  };
}

/** Simulated: everything in memory, no Docker, no image directory; the node is labelled as simulated. */
async function simNodeRuntime(config: AgentConfig, agentDir: string): Promise<NodeRuntime> {
  const runtime = new SimRuntime({ nodeName: config.nodeName, rootDir: agentDir });
  return { runtime, version: await runtime.version(), labels: { [LABEL_SIMULATED_NODE]: "true" }, startBackground: () => ({ stop() {} }) };
}

/**
 * Joins the cluster and runs this node's kubelet until `stop()`. Rejects with a `TunnelJoinError` for
 * a wrong token or CA, and with a clear error when the Docker engine cannot be reached.
 *
 * @example const agent = await runAgent({ server: "https://10.0.0.1:6443", token, dataDir, nodeName: "pi-2", labels: {}, taints: [], roles: [], logger });
 *          const sim = await runAgent({ ...sameConfig, nodeName: "sim-0", runtime: "sim" }); // no Docker
 */
export async function runAgent(config: AgentConfig): Promise<RunningAgent> {
  const log = config.logger;
  const agentDir = path.join(config.dataDir, "agent");
  mkdirSync(agentDir, { recursive: true, mode: 0o700 });

  const node = config.runtime === "sim" ? await simNodeRuntime(config, agentDir) : await dockerNodeRuntime(config, agentDir, log);
  const { runtime } = node;

  const tunnel = await connectTunnel({ server: config.server, token: config.token, dataDir: config.dataDir, nodeName: config.nodeName, logger: log.child({ component: "tunnel" }) });
  const client = new HttpApiClient({ server: "http://api", agent: tunnel.httpAgent, userAgent: `kube-lite-agent/${config.nodeName}` });
  const background = node.startBackground();

  const reporter = new NodeStatusReporter(
    client,
    { nodeName: config.nodeName, nodeIP: config.nodeIP, roles: config.roles, labels: { ...node.labels, ...config.labels }, taints: config.taints, containerRuntimeVersion: node.version },
    { dataDir: config.dataDir, log: log.child({ component: "node-status" }) },
  );
  await reporter.start();
  const lease = new NodeLease(client, config.nodeName, { log: log.child({ component: "node-lease" }) });
  lease.start();

  const podCidr = await waitForPodCidr(client, config.nodeName, log);
  const kubelet = new Kubelet({
    nodeName: config.nodeName,
    client,
    runtime,
    dataDir: agentDir,
    network: { name: `kube-lite-${config.nodeName}`.slice(0, 60), subnet: podCidr },
    clusterDNS: CLUSTER_DNS,
    nodeIP: config.nodeIP,
    logger: log,
  });
  await kubelet.start();
  // The server reaches this kubelet's streaming endpoints (logs) through the tunnel.
  tunnel.onKubeletStream(kubeletStreamHandler(runtime, log.child({ component: "kubelet-streams" })));
  // Give memory back once the node is quiet after pod churn (the agent has no request loop to watch).
  const trimmer = config.trimIdleMemory === false ? undefined : new IdleMemoryTrimmer({ watchCpu: true });
  log.info({ node: config.nodeName, podCIDR: podCidr, runtime: node.version }, "agent is running");

  return {
    tunnel,
    async stop() {
      trimmer?.stop();
      kubelet.stop();
      lease.stop();
      reporter.stop();
      background.stop();
      client.destroy();
      await tunnel.close();
    },
  };
}
