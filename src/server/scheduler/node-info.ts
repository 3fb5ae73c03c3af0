/**
 * Per-node aggregate the scheduler keeps up to date as pods come and go (upstream `NodeInfo`): the
 * node's allocatable, the sum of its pods' requests, its used host ports and split taints, so a filter
 * reads numbers instead of walking pods.
 */
import type { Node, Taint } from "kubernetes-types/core/v1.js";
import { addInto, emptyResources, nodeAllocatable } from "./resources.js";
import type { HostPort, NodeView, PodInfo, Resources } from "./types.js";

export class NodeInfo implements NodeView {
  name: string;
  node!: Node;
  labels: Record<string, string> = {};
  allocatable: Resources = emptyResources();
  allowedPodNumber = 0;
  requested: Resources = emptyResources();
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  readonly pods = new Map<string, PodInfo>();
  usedPorts: HostPort[] = [];
  hardTaints: Taint[] = [];
  softTaints: Taint[] = [];
  unschedulable = false;

  /** @example const info = new NodeInfo(node); info.addPod(buildPodInfo(pod)); */
  constructor(node: Node) {
    this.name = node.metadata?.name ?? "";
    this.setNode(node);
  }

  /** Replaces the node object (labels, allocatable, taints may have changed); pods stay. */
  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? {};
    const alloc = nodeAllocatable(node);
    this.allocatable = alloc.resources;
    this.allowedPodNumber = alloc.pods;
    const taints = node.spec?.taints ?? [];
    this.hardTaints = taints.filter((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
    this.softTaints = taints.filter((t) => t.effect === "PreferNoSchedule");
    this.unschedulable = Boolean(node.spec?.unschedulable);
  }

  addPod(p: PodInfo): void {
    this.removePod(p.key);
    this.pods.set(p.key, p);
    this.account(p, 1);
    for (const hp of p.hostPorts) this.usedPorts.push(hp);
  }

  /** Removes a pod by key; returns it when it was here. */
  removePod(key: string): PodInfo | undefined {
    const p = this.pods.get(key);
    if (!p) return undefined;
    this.pods.delete(key);
    this.account(p, -1);
    if (p.hostPorts.length) {
      for (const hp of p.hostPorts) {
        const i = this.usedPorts.findIndex((u) => u.ip === hp.ip && u.port === hp.port && u.protocol === hp.protocol);
        if (i >= 0) this.usedPorts.splice(i, 1);
      }
    }
    return p;
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    addInto(this.requested, p.requests, sign);
    this.nonZeroMilliCPU += sign * p.nonZeroMilliCPU;
    this.nonZeroMemory += sign * p.nonZeroMemory;
  }
}
