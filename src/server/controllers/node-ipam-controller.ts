/**
 * NodeIpamController: gives every Node a pod CIDR from the cluster CIDR (10.42.0.0/16, one /24 per
 * node, as k3s does), the way upstream's node-ipam controller fills `spec.podCIDR(s)`. Allocations
 * are rebuilt from the Nodes themselves, so a restart never hands out a CIDR twice.
 */
import { ApiError } from "../../shared/api/status.js";
import type { KubeObject } from "../../shared/api/types.js";
import type { Logger } from "../../shared/log.js";
import type { Informer } from "../../shared/client/informer.js";
import type { ApiClient, ResourceRef } from "../../shared/client/types.js";
import { WorkQueue } from "../../shared/client/work-queue.js";
import { processQueue } from "../../shared/client/controller-loop.js";
import { intToIpv4, parseIpv4Cidr } from "../../shared/api/ipv4.js";

export const DEFAULT_CLUSTER_CIDR = "10.42.0.0/16";
/** Size of each node's pod CIDR (k3s's default node-cidr-mask-size). */
export const NODE_CIDR_MASK = 24;

const NODES: ResourceRef = { group: "", plural: "nodes" };

/** Splits a cluster CIDR into node subnets and tracks which are taken. */
export class PodCidrAllocator {
  private readonly base: number;
  private readonly count: number;
  private readonly used = new Set<string>();

  constructor(clusterCidr = DEFAULT_CLUSTER_CIDR, private readonly mask = NODE_CIDR_MASK) {
    const cidr = parseIpv4Cidr(clusterCidr);
    if (!cidr || cidr.prefix > mask) throw new Error(`invalid cluster CIDR ${clusterCidr} for /${mask} node subnets`);
    this.base = cidr.network;
    this.count = 2 ** (mask - cidr.prefix);
  }

  observe(cidr: string): void {
    this.used.add(cidr);
  }

  release(cidr: string): void {
    this.used.delete(cidr);
  }

  /** The lowest free node subnet, marked as used; undefined when the cluster CIDR is full. */
  allocate(): string | undefined {
    const size = 2 ** (32 - this.mask);
    for (let i = 0; i < this.count; i++) {
      const cidr = `${intToIpv4((this.base + i * size) >>> 0)}/${this.mask}`;
      if (!this.used.has(cidr)) {
        this.used.add(cidr);
        return cidr;
      }
    }
    return undefined;
  }
}

function podCidrOf(node: KubeObject): string | undefined {
  return (node.spec as { podCIDR?: string } | undefined)?.podCIDR;
}

export class NodeIpamController {
  private readonly queue = new WorkQueue();
  private readonly owners = new Map<string, string>(); // node name → CIDR

  constructor(
    private readonly client: ApiClient,
    private readonly nodes: Informer,
    private readonly allocator: PodCidrAllocator,
    private readonly log: Logger,
  ) {
    nodes.addHandlers({
      onAdd: (n) => this.observe(n),
      onUpdate: (_o, n) => this.observe(n),
      onDelete: (n) => {
        const cidr = this.owners.get(n.metadata.name ?? "");
        if (cidr) this.allocator.release(cidr);
        this.owners.delete(n.metadata.name ?? "");
      },
    });
  }

  private observe(node: KubeObject): void {
    const name = node.metadata.name ?? "";
    const cidr = podCidrOf(node);
    if (cidr) {
      this.allocator.observe(cidr);
      this.owners.set(name, cidr);
    } else {
      this.queue.add(name);
    }
  }

  async run(): Promise<void> {
    await this.nodes.waitForSync();
    await processQueue(this.queue, (name) => this.reconcile(name), (name, err) => this.log.warn({ node: name, err: err.message }, "assigning a pod CIDR failed; retrying"));
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (!node || podCidrOf(node) || node.metadata.deletionTimestamp) return;
    const cidr = this.owners.get(name) ?? this.allocator.allocate();
    if (!cidr) {
      this.log.error({ node: name }, "no pod CIDR left in the cluster CIDR");
      return;
    }
    this.owners.set(name, cidr);
    try {
      await this.client.update(NODES, "", { ...node, spec: { ...((node.spec ?? {}) as object), podCIDR: cidr, podCIDRs: [cidr] } }, "", "kube-lite-node-ipam-controller");
      this.log.info({ node: name, podCIDR: cidr }, "assigned pod CIDR");
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) {
        this.allocator.release(cidr);
        this.owners.delete(name);
        return;
      }
      throw err; // conflict: the informer brings the newer node and the key is retried
    }
  }
}
