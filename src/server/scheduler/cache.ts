/**
 * The scheduler's picture of the cluster: a `NodeInfo` per node with the pods bound (or assumed bound)
 * to it. Informer events keep it current; a scheduling decision "assumes" its pod onto the chosen node
 * at once, so the next cycle already counts it while the binding is still in flight (upstream's cache).
 */
import type { Node } from "kubernetes-types/core/v1.js";
import { NodeInfo } from "./node-info.js";
import { hasPodAffinity } from "./pod-info.js";
import type { ClusterView, NodeView, PodInfo } from "./types.js";

interface PodEntry {
  info: PodInfo;
  nodeName: string;
  /** Assumed by a scheduling decision and not yet seen bound through the informer. */
  assumed: boolean;
}

export class SchedulerCache implements ClusterView {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  private nodeList: NodeInfo[] = [];
  private readonly podEntries = new Map<string, PodEntry>();
  // Indexes of pod keys, so affinity and spreading look only at the pods that can matter.
  private readonly withAffinity = new Set<string>();
  private readonly withRequiredAnti = new Set<string>();
  private readonly byNamespace = new Map<string, Set<string>>();
  private readonly byController = new Map<string, Set<string>>();

  get nodes(): readonly NodeView[] {
    return this.nodeList;
  }

  node(name: string): NodeInfo | undefined {
    return this.nodeInfos.get(name);
  }

  /** Adds or updates a node. @example cache.setNode(nodeObject) */
  setNode(node: Node): void {
    const name = node.metadata?.name ?? "";
    const existing = this.nodeInfos.get(name);
    if (existing) {
      existing.setNode(node);
      return;
    }
    const info = new NodeInfo(node);
    this.nodeInfos.set(name, info);
    this.nodeList = [...this.nodeInfos.values()];
    for (const e of this.podEntries.values()) if (e.nodeName === name) info.addPod(e.info);
  }

  removeNode(name: string): void {
    if (!this.nodeInfos.delete(name)) return;
    this.nodeList = [...this.nodeInfos.values()];
  }

  /** Records a pod as bound to `nodeName` (from the informer, or assumed by a decision). */
  addPod(info: PodInfo, nodeName: string, assumed = false): void {
    this.removePod(info.key);
    this.podEntries.set(info.key, { info, nodeName, assumed });
    this.nodeInfos.get(nodeName)?.addPod(info);
    if (hasPodAffinity(info)) this.withAffinity.add(info.key);
    if (info.requiredAntiAffinity.length) this.withRequiredAnti.add(info.key);
    let ns = this.byNamespace.get(info.namespace);
    if (!ns) this.byNamespace.set(info.namespace, (ns = new Set()));
    ns.add(info.key);
    if (info.controllerUid) {
      let owned = this.byController.get(info.controllerUid);
      if (!owned) this.byController.set(info.controllerUid, (owned = new Set()));
      owned.add(info.key);
    }
  }

  removePod(key: string): void {
    const e = this.podEntries.get(key);
    if (!e) return;
    this.podEntries.delete(key);
    this.nodeInfos.get(e.nodeName)?.removePod(key);
    this.withAffinity.delete(key);
    this.withRequiredAnti.delete(key);
    const ns = this.byNamespace.get(e.info.namespace);
    ns?.delete(key);
    if (ns?.size === 0) this.byNamespace.delete(e.info.namespace);
    const uid = e.info.controllerUid;
    const owned = uid ? this.byController.get(uid) : undefined;
    owned?.delete(key);
    if (uid && owned?.size === 0) this.byController.delete(uid);
  }

  /** Whether the cache holds `key` only because a decision assumed it. */
  isAssumed(key: string): boolean {
    return this.podEntries.get(key)?.assumed ?? false;
  }

  /** Where the cache has `key`, if anywhere. */
  nodeOf(key: string): string | undefined {
    return this.podEntries.get(key)?.nodeName;
  }

  private *entries(keys: Iterable<string>): Iterable<{ pod: PodInfo; node: NodeView }> {
    for (const key of keys) {
      const e = this.podEntries.get(key);
      const node = e && this.nodeInfos.get(e.nodeName);
      if (e && node) yield { pod: e.info, node };
    }
  }

  podsWithAffinity(): Iterable<{ pod: PodInfo; node: NodeView }> {
    return this.entries(this.withAffinity);
  }

  podsWithRequiredAntiAffinity(): Iterable<{ pod: PodInfo; node: NodeView }> {
    return this.entries(this.withRequiredAnti);
  }

  podsInNamespace(namespace: string): Iterable<{ pod: PodInfo; node: NodeView }> {
    return this.entries(this.byNamespace.get(namespace) ?? []);
  }

  podsOfController(uid: string): Iterable<{ pod: PodInfo; node: NodeView }> {
    return this.entries(this.byController.get(uid) ?? []);
  }
}
