import os from "node:os";
import path from "node:path";
import { isIP } from "node:net";
import { UsageError } from "../shared/usage-error.js";
import { parseIpv4Cidr } from "../shared/api/ipv4.js";

/** Everything `kube-lite server` needs to start, with defaults applied (k3s names and values). */
export interface ServerConfig {
  dataDir: string;
  httpsPort: number;
  bindAddress: string;
  /** Join token given on the command line; undefined → generated once and kept in DATA/server/token. */
  token?: string;
  kubeconfigPath: string;
  tlsSans: string[];
  disableAgent: boolean;
  /** Node name of the embedded agent; undefined → the host name. */
  nodeName?: string;
  /** Pod addresses: each node gets a /24 of it (k3s default 10.42.0.0/16). */
  clusterCidr: string;
}

export const DEFAULT_CLUSTER_CIDR = "10.42.0.0/16";

export const DEFAULT_HTTPS_PORT = 6443;

export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? "/var/lib/kube-lite" : path.join(os.homedir(), ".kube-lite");
}

/** An IPv4 CIDR with room for at least one /24 per node. */
function parseClusterCidr(text: string): string {
  const cidr = parseIpv4Cidr(text);
  if (!cidr || cidr.prefix > 24 || cidr.prefix < 8) {
    throw new UsageError(`--cluster-cidr must be an IPv4 CIDR from /8 to /24, like 10.42.0.0/16; got "${text}"`);
  }
  return text;
}

export function parseServerConfig(values: Record<string, unknown>): ServerConfig {
  const dataDir = path.resolve(String(values["data-dir"] ?? defaultDataDir()));
  const portText = String(values["https-listen-port"] ?? DEFAULT_HTTPS_PORT);
  const httpsPort = Number(portText);
  if (!/^\d+$/.test(portText) || httpsPort < 1 || httpsPort > 65535) {
    throw new UsageError(`--https-listen-port must be a port number from 1 to 65535, got "${portText}"`);
  }
  const bindAddress = String(values["bind-address"] ?? "0.0.0.0");
  if (!isIP(bindAddress)) throw new UsageError(`--bind-address must be an IP address, got "${bindAddress}"`);
  const token = values.token === undefined ? undefined : String(values.token);
  if (token !== undefined && token.length < 8) throw new UsageError("--token must be at least 8 characters long");
  const tlsSans = ((values["tls-san"] as string[] | undefined) ?? []).map((s) => s.trim()).filter(Boolean);
  return {
    dataDir,
    httpsPort,
    bindAddress,
    token,
    kubeconfigPath: path.resolve(String(values["write-kubeconfig"] ?? path.join(dataDir, "kubeconfig.yaml"))),
    tlsSans,
    disableAgent: Boolean(values["disable-agent"]),
    nodeName: values["node-name"] === undefined ? undefined : String(values["node-name"]).toLowerCase(),
    clusterCidr: parseClusterCidr(String(values["cluster-cidr"] ?? DEFAULT_CLUSTER_CIDR)),
  };
}
