/**
 * Node registration and status writes, as the kubelet's `tryRegisterWithAPIServer` and
 * `tryUpdateNodeStatus` do them: create the Node; when it already exists (agent restart, or a
 * reinstalled machine keeping its name) bring the kubelet-owned labels and the pod CIDR up to date;
 * status always goes through the `status` subresource with optimistic concurrency.
 */
import type { NodeStatus } from "kubernetes-types/core/v1.js";
import { ApiError } from "../../../shared/api/status.js";
import { deepCopy } from "../../../shared/api/types.js";
import type { ApiClient, ResourceRef } from "../../../shared/client/types.js";
import { initialNode, nodeLabels, nodeStatus, nodeStatusChanged, type NodeConfig, type NodeObject, type StatusInputs } from "./node-object.js";

export const NODES: ResourceRef = { group: "", version: "v1", plural: "nodes" };
/** The field manager upstream's kubelet writes as. */
export const KUBELET_FIELD_MANAGER = "kubelet";
/** Attempts at a status write that keeps losing a resourceVersion race (upstream `nodeStatusUpdateRetry`). */
export const NODE_STATUS_UPDATE_RETRIES = 5;

function isReason(err: unknown, ...reasons: string[]): boolean {
  return err instanceof ApiError && reasons.includes(err.reason);
}

/**
 * The changes registration makes to a Node that already exists, or undefined when it is up to date:
 * the labels this kubelet sets (hostname, os, arch, roles, `--node-label`s) and the pod CIDRs when the
 * node has none yet (they cannot change once set). Taints stay as the cluster has them.
 *
 * @example reconcileExistingNode(live, cfg)?.metadata.labels?.["kubernetes.io/arch"] === "arm64"
 */
export function reconcileExistingNode(live: NodeObject, cfg: NodeConfig): NodeObject | undefined {
  const next = deepCopy(live);
  let changed = false;
  const labels = (next.metadata.labels ??= {});
  for (const [k, v] of Object.entries(nodeLabels(cfg))) {
    if (labels[k] !== v) {
      labels[k] = v;
      changed = true;
    }
  }
  const spec = (next.spec ??= {});
  if (cfg.podCIDRs?.length && !spec.podCIDR && !spec.podCIDRs?.length) {
    spec.podCIDR = cfg.podCIDRs[0];
    spec.podCIDRs = [...cfg.podCIDRs];
    changed = true;
  }
  return changed ? next : undefined;
}

/**
 * Writes `compute(live.status)` to `nodes/<name>/status` when it differs from the live status (or
 * always with `force`, to refresh heartbeats), re-reading and retrying on a Conflict.
 *
 * @example const { node, posted } = await updateNodeStatus(client, "pi1", (s) => nodeStatus(cfg, inputs(), s), { force: false });
 */
export async function updateNodeStatus(
  client: ApiClient,
  nodeName: string,
  compute: (live: NodeStatus | undefined) => NodeStatus,
  opts: { force: boolean },
): Promise<{ node: NodeObject; posted: boolean; previous?: NodeStatus }> {
  let lastErr: unknown;
  for (let attempt = 0; attempt < NODE_STATUS_UPDATE_RETRIES; attempt++) {
    const live = (await client.get(NODES, "", nodeName)) as NodeObject;
    const status = compute(live.status);
    if (!opts.force && !nodeStatusChanged(live.status, status)) return { node: live, posted: false };
    try {
      const node = (await client.update(NODES, "", { ...live, status }, "status", KUBELET_FIELD_MANAGER)) as NodeObject;
      return { node, posted: true, previous: live.status };
    } catch (err) {
      if (!isReason(err, "Conflict")) throw err;
      lastErr = err;
    }
  }
  throw lastErr;
}

/**
 * Registers the node: creates it with its full status, or, when it exists, reconciles labels and pod
 * CIDR and posts a fresh status. Returns the Node as the server has it, and the status it replaced
 * (undefined for a new Node).
 *
 * @example const { node } = await registerNode(client, cfg, () => ({ facts: readHostFacts(dir), pressure, notReadyReasons: [], now: new Date() }));
 */
export async function registerNode(client: ApiClient, cfg: NodeConfig, inputs: () => StatusInputs): Promise<{ node: NodeObject; previous?: NodeStatus }> {
  try {
    return { node: (await client.create(NODES, "", initialNode(cfg, inputs()), KUBELET_FIELD_MANAGER)) as NodeObject };
  } catch (err) {
    if (!isReason(err, "AlreadyExists")) throw err;
  }
  for (let attempt = 0; ; attempt++) {
    const live = (await client.get(NODES, "", cfg.nodeName)) as NodeObject;
    const next = reconcileExistingNode(live, cfg);
    if (!next) break;
    try {
      await client.update(NODES, "", next, "", KUBELET_FIELD_MANAGER);
      break;
    } catch (err) {
      if (!isReason(err, "Conflict") || attempt + 1 >= NODE_STATUS_UPDATE_RETRIES) throw err;
    }
  }
  const { node, previous } = await updateNodeStatus(client, cfg.nodeName, (s) => nodeStatus(cfg, inputs(), s), { force: true });
  return { node, previous };
}
