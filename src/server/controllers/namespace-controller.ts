/**
 * NamespaceController: finishes namespace deletion as upstream's namespace controller does. For a
 * namespace with a deletionTimestamp it deletes every namespaced object in it, waits until they are
 * gone, then clears `spec.finalizers` (the `finalize` subresource) and deletes the namespace.
 */
import { ApiError } from "../../shared/api/status.js";
import type { Logger } from "../../shared/log.js";
import type { Informer } from "../../shared/client/informer.js";
import type { ApiClient, ResourceRef } from "../../shared/client/types.js";
import { WorkQueue } from "../../shared/client/work-queue.js";
import { processQueue } from "../../shared/client/controller-loop.js";

/** While objects remain (grace periods, finalizers), check the namespace again after this delay. */
const CONTENT_RECHECK_DELAY_MS = 1000;

const NAMESPACES: ResourceRef = { group: "", plural: "namespaces" };

export class NamespaceController {
  private readonly queue = new WorkQueue();

  constructor(
    private readonly client: ApiClient,
    private readonly informer: Informer,
    /** Every namespaced resource whose objects must be removed (preferred versions). */
    private readonly namespacedResources: ResourceRef[],
    private readonly log: Logger,
  ) {
    informer.addHandlers({
      onAdd: (ns) => this.enqueue(ns.metadata.name),
      onUpdate: (_old, ns) => this.enqueue(ns.metadata.name),
    });
  }

  private enqueue(name: string | undefined): void {
    if (name) this.queue.add(name);
  }

  async run(workers = 1): Promise<void> {
    await this.informer.waitForSync();
    const worker = () =>
      processQueue(
        this.queue,
        async (key) => ((await this.reconcile(key)) ? CONTENT_RECHECK_DELAY_MS : undefined),
        (key, err) => this.log.warn({ namespace: key, err: err.message }, "namespace deletion failed; retrying"),
      );
    await Promise.all(Array.from({ length: workers }, worker));
  }

  stop(): void {
    this.queue.shutDown();
  }

  /** Returns true when content remains and the namespace must be checked again. */
  async reconcile(name: string): Promise<boolean> {
    const ns = this.informer.get(name);
    if (!ns || !ns.metadata.deletionTimestamp) return false;
    let remaining = 0;
    for (const ref of this.namespacedResources) {
      const list = await this.client.list(ref, name);
      for (const item of list.items) {
        remaining++;
        if (item.metadata.deletionTimestamp) continue;
        try {
          await this.client.delete(ref, name, item.metadata.name!, { propagationPolicy: "Background" });
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
    }
    if (remaining > 0) return true;
    const finalizers = ((ns.spec ?? {}) as { finalizers?: string[] }).finalizers ?? [];
    if (finalizers.includes("kubernetes")) {
      await this.client.update(NAMESPACES, "", { ...ns, spec: { ...(ns.spec as object), finalizers: finalizers.filter((f) => f !== "kubernetes") } }, "finalize");
    }
    try {
      await this.client.delete(NAMESPACES, "", name);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
    this.log.info({ namespace: name }, "namespace deleted");
    return false;
  }
}
