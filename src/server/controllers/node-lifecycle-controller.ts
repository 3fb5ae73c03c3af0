/**
 * NodeLifecycleController, after upstream's: watches node heartbeats (the node Lease's renewTime and
 * the Ready condition) and, when a node has been silent for the grace period, marks its conditions
 * Unknown ("Kubelet stopped posting node status.") and taints it `node.kubernetes.io/unreachable`;
 * a node reporting Ready=False gets `node.kubernetes.io/not-ready`. Both taints come in NoSchedule
 * and NoExecute; pods on a NoExecute-tainted node are evicted (deleted) once their toleration of it
 * runs out (300 s by default, added to every pod by the pod registry), or at once without one.
 *
 * Heartbeats are judged by when this controller saw them change, not by the node's clock. After a
 * server start every node counts as just seen (a renewal held in memory may be lost in a crash).
 */
import type { Node, NodeCondition, Pod, Taint, Toleration } from "kubernetes-types/core/v1.js";
import { ApiError } from "../../shared/api/status.js";
import type { KubeObject } from "../../shared/api/types.js";
import type { Logger } from "../../shared/log.js";
import type { ApiClient, ResourceRef } from "../../shared/client/types.js";
import { rfc3339 } from "../../shared/api/time.js";

/** How often nodes are checked (upstream --node-monitor-period 5 s). */
export const NODE_MONITOR_PERIOD_MS = 5_000;
/** Silence after which a node is unreachable (upstream --node-monitor-grace-period 40 s). */
export const NODE_MONITOR_GRACE_PERIOD_MS = 40_000;

export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
export const TAINT_NOT_READY = "node.kubernetes.io/not-ready";
const MANAGED_TAINTS = [TAINT_UNREACHABLE, TAINT_NOT_READY];

const NODES: ResourceRef = { group: "", plural: "nodes" };
const LEASES: ResourceRef = { group: "coordination.k8s.io", plural: "leases" };
const PODS: ResourceRef = { group: "", plural: "pods" };
const NODE_LEASE_NAMESPACE = "kube-node-lease";
const MANAGER = "kube-lite-node-lifecycle-controller";

interface Observed {
  /** The heartbeat value last seen (renewTime or the Ready condition's lastHeartbeatTime). */
  heartbeat: string;
  /** When this controller saw it change. */
  at: number;
}

/** The taints a node should carry for its health: unreachable, not-ready, or none. */
export function desiredHealthTaint(reachable: boolean, readyStatus: string | undefined): string | undefined {
  if (!reachable) return TAINT_UNREACHABLE;
  if (readyStatus === "False") return TAINT_NOT_READY;
  return undefined;
}

/**
 * When a pod must be evicted from a node with NoExecute `taint` added at `taintedAt`: now (no
 * toleration), never (tolerated without tolerationSeconds), or after its tolerationSeconds.
 */
export function evictionTime(tolerations: Toleration[] | undefined, taint: Taint, taintedAt: number): number | undefined {
  const matching = (tolerations ?? []).filter((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
  if (matching.length === 0) return taintedAt;
  if (matching.some((t) => t.tolerationSeconds === undefined || t.tolerationSeconds === null)) return undefined;
  const seconds = Math.min(...matching.map((t) => Math.max(0, t.tolerationSeconds!)));
  return taintedAt + seconds * 1000;
}

export class NodeLifecycleController {
  private readonly observed = new Map<string, Observed>();
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly client: ApiClient,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly gracePeriodMs = NODE_MONITOR_GRACE_PERIOD_MS,
  ) {}

  start(periodMs = NODE_MONITOR_PERIOD_MS): void {
    this.timer = setInterval(() => void this.tick(), periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One monitoring pass over every node; overlapping passes are skipped. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.monitor();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "node monitoring pass failed");
    } finally {
      this.running = false;
    }
  }

  private heartbeatOf(node: Node, leases: Map<string, KubeObject>): string {
    const renew = (leases.get(node.metadata?.name ?? "")?.spec as { renewTime?: string } | undefined)?.renewTime ?? "";
    const ready = node.status?.conditions?.find((c) => c.type === "Ready")?.lastHeartbeatTime ?? "";
    return `${renew}|${ready}`;
  }

  async monitor(): Promise<void> {
    const now = this.now();
    const [nodes, leaseList] = await Promise.all([this.client.list(NODES), this.client.list(LEASES, NODE_LEASE_NAMESPACE)]);
    const leases = new Map(leaseList.items.map((l) => [l.metadata.name ?? "", l]));
    const seen = new Set<string>();
    for (const item of nodes.items) {
      const node = item as unknown as Node;
      const name = node.metadata?.name ?? "";
      seen.add(name);
      const beat = this.heartbeatOf(node, leases);
      const prev = this.observed.get(name);
      if (!prev || prev.heartbeat !== beat) this.observed.set(name, { heartbeat: beat, at: now });
      const reachable = now - (this.observed.get(name)?.at ?? now) < this.gracePeriodMs;
      const current = reachable ? node : await this.markUnknown(node, now);
      const ready = reachable ? node.status?.conditions?.find((c) => c.type === "Ready")?.status : "Unknown";
      const taintedAt = await this.reconcileTaints(current, desiredHealthTaint(reachable, ready), now);
      if (taintedAt) await this.evictPods(name, taintedAt, now);
    }
    for (const name of [...this.observed.keys()]) if (!seen.has(name)) this.observed.delete(name);
  }

  /** Sets every condition the kubelet posts to Unknown, as upstream does for a silent node; returns the node as stored. */
  private async markUnknown(node: Node, now: number): Promise<Node> {
    const conditions = node.status?.conditions ?? [];
    if (conditions.length > 0 && conditions.every((c) => c.status === "Unknown")) return node;
    const types = conditions.length ? conditions.map((c) => c.type) : ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];
    const next: NodeCondition[] = types.map((type) => {
      const old = conditions.find((c) => c.type === type);
      return {
        type,
        status: "Unknown",
        reason: "NodeStatusUnknown",
        message: "Kubelet stopped posting node status.",
        lastHeartbeatTime: old?.lastHeartbeatTime,
        lastTransitionTime: old?.status === "Unknown" ? old.lastTransitionTime : rfc3339(now),
      };
    });
    try {
      const updated = await this.client.update(NODES, "", { ...(node as unknown as KubeObject), status: { ...node.status, conditions: next } }, "status", MANAGER);
      this.log.info({ node: node.metadata?.name }, "node stopped posting status: conditions Unknown");
      return updated as unknown as Node;
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) throw err;
      return node;
    }
  }

  /** Makes the node's health taints match `want`; returns when the current NoExecute taint was added. */
  private async reconcileTaints(node: Node, want: string | undefined, now: number): Promise<number | undefined> {
    const taints = node.spec?.taints ?? [];
    const keep = taints.filter((t) => !MANAGED_TAINTS.includes(t.key) || (t.key === want));
    const have = (effect: string): Taint | undefined => keep.find((t) => t.key === want && t.effect === effect);
    const next = [...keep];
    if (want && !have("NoSchedule")) next.push({ key: want, effect: "NoSchedule" });
    if (want && !have("NoExecute")) next.push({ key: want, effect: "NoExecute", timeAdded: rfc3339(now) });
    if (next.length !== taints.length || next.some((t, i) => t !== taints[i])) {
      try {
        await this.client.update(NODES, "", { ...(node as unknown as KubeObject), spec: { ...node.spec, taints: next.length ? next : undefined } }, "", MANAGER);
        this.log.info({ node: node.metadata?.name, taint: want ?? "none" }, "node health taints changed");
      } catch (err) {
        if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) throw err;
        return undefined;
      }
    }
    const noExecute = next.find((t) => t.key === want && t.effect === "NoExecute");
    return noExecute ? Date.parse(noExecute.timeAdded ?? rfc3339(now)) : undefined;
  }

  /** Deletes pods on a NoExecute-tainted node whose toleration has run out. */
  private async evictPods(nodeName: string, taintedAt: number, now: number): Promise<void> {
    const node = (await this.client.get(NODES, "", nodeName)) as unknown as Node;
    const taint = node.spec?.taints?.find((t) => MANAGED_TAINTS.includes(t.key) && t.effect === "NoExecute");
    if (!taint) return;
    const pods = await this.client.list(PODS, undefined, { fieldSelector: `spec.nodeName=${nodeName}` });
    for (const item of pods.items) {
      const pod = item as unknown as Pod;
      if (pod.metadata?.deletionTimestamp) continue;
      const due = evictionTime(pod.spec?.tolerations, taint, taintedAt);
      if (due === undefined || due > now) continue;
      try {
        await this.client.delete(PODS, pod.metadata?.namespace ?? "", pod.metadata?.name ?? "", { preconditions: { uid: pod.metadata?.uid } });
        this.log.info({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, node: nodeName, taint: taint.key }, "evicted pod from an unhealthy node");
      } catch (err) {
        if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
      }
    }
  }
}
