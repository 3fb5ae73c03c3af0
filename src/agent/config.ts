import path from "node:path";
import os from "node:os";
import { readFileSync } from "node:fs";
import type { Taint } from "kubernetes-types/core/v1.js";
import { UsageError } from "../shared/usage-error.js";
import { isQualifiedName, isValidLabelValue } from "../shared/api/validation.js";

/** What `kube-lite agent` was asked to do, with defaults applied (k3s names and values). */
export interface AgentCliConfig {
  server: string;
  token?: string;
  dataDir: string;
  nodeName: string;
  nodeIP?: string;
  labels: Record<string, string>;
  taints: Taint[];
  /** `docker` (default) or `sim`, the in-memory runtime for scale work. */
  runtime: AgentRuntimeKind;
  /** With `sim`: how many simulated nodes this process hosts (`--sim-nodes`, default 1). */
  simNodes: number;
}

/** The container runtimes `--runtime` accepts. */
export const AGENT_RUNTIMES = ["docker", "sim"] as const;
export type AgentRuntimeKind = (typeof AGENT_RUNTIMES)[number];

const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** `key=value` → a label; rejects what the API would reject, with the flag in the message. */
export function parseNodeLabel(text: string): [string, string] {
  const i = text.indexOf("=");
  const key = i < 0 ? text : text.slice(0, i);
  const value = i < 0 ? "" : text.slice(i + 1);
  const errors = [...isQualifiedName(key), ...isValidLabelValue(value)];
  if (i < 0 || errors.length) throw new UsageError(`--node-label "${text}": must be key=value (${errors.join("; ") || "missing ="})`);
  return [key, value];
}

/** `key=value:Effect` or `key:Effect` → a taint, as kubectl and k3s accept them. */
export function parseNodeTaint(text: string): Taint {
  const colon = text.lastIndexOf(":");
  const effect = colon < 0 ? "" : text.slice(colon + 1);
  const kv = colon < 0 ? text : text.slice(0, colon);
  const eq = kv.indexOf("=");
  const key = eq < 0 ? kv : kv.slice(0, eq);
  const value = eq < 0 ? undefined : kv.slice(eq + 1);
  if (!TAINT_EFFECTS.includes(effect) || isQualifiedName(key).length || (value !== undefined && isValidLabelValue(value).length)) {
    throw new UsageError(`--node-taint "${text}": must be key[=value]:Effect with Effect one of ${TAINT_EFFECTS.join(", ")}`);
  }
  return value === undefined ? { key, effect } : { key, value, effect };
}

/**
 * `--runtime` and `--sim-nodes` → the runtime and the number of simulated nodes, with the flag in any
 * error message.
 *
 * @example parseRuntimeFlags({ runtime: "sim", "sim-nodes": "50" }) // { runtime: "sim", simNodes: 50 }
 */
export function parseRuntimeFlags(values: Record<string, unknown>): { runtime: AgentRuntimeKind; simNodes: number } {
  const runtime = String(values.runtime ?? "docker");
  if (!(AGENT_RUNTIMES as readonly string[]).includes(runtime)) throw new UsageError(`--runtime "${runtime}": unknown runtime, must be one of ${AGENT_RUNTIMES.join(", ")}`);
  const count = values["sim-nodes"];
  if (count === undefined) return { runtime: runtime as AgentRuntimeKind, simNodes: 1 };
  if (runtime !== "sim") throw new UsageError("--sim-nodes needs --runtime sim (simulated nodes only; a Docker agent is one node)");
  const text = String(count);
  if (!/^[0-9]+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) throw new UsageError(`--sim-nodes "${text}": must be a positive integer`);
  return { runtime: "sim", simNodes: Number(text) };
}

export function defaultAgentDataDir(): string {
  return process.getuid?.() === 0 ? "/var/lib/kube-lite" : path.join(os.homedir(), ".kube-lite");
}

export function parseAgentConfig(values: Record<string, unknown>): AgentCliConfig {
  const server = (values.join ?? values.server) as string | undefined;
  if (!server) throw new UsageError("--join https://SERVER:6443 is required");
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`--join must be a URL like https://SERVER:6443, got "${server}"`);
  }
  if (url.protocol !== "https:") throw new UsageError(`--join must be an https:// URL, got "${server}"`);
  let token = values.token as string | undefined;
  if (!token && values["token-file"]) {
    try {
      token = readFileSync(String(values["token-file"]), "utf8").trim();
    } catch (err) {
      throw new UsageError(`--token-file: ${(err as Error).message}`);
    }
  }
  const nodeName = String(values["node-name"] ?? os.hostname()).toLowerCase();
  return {
    server: url.origin,
    token,
    dataDir: path.resolve(String(values["data-dir"] ?? defaultAgentDataDir())),
    nodeName,
    nodeIP: values["node-ip"] as string | undefined,
    labels: Object.fromEntries(((values["node-label"] as string[] | undefined) ?? []).map(parseNodeLabel)),
    taints: ((values["node-taint"] as string[] | undefined) ?? []).map(parseNodeTaint),
    ...parseRuntimeFlags(values),
  };
}
