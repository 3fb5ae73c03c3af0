/**
 * ServiceAccountController: every active namespace has a `default` ServiceAccount, as upstream's
 * serviceaccounts-controller ensures. Re-creates it when deleted; ignores terminating namespaces.
 */
import { ApiError } from "../../shared/api/status.js";
import type { Logger } from "../../shared/log.js";
import type { Informer } from "../../shared/client/informer.js";
import type { ApiClient, ResourceRef } from "../../shared/client/types.js";
import { WorkQueue } from "../../shared/client/work-queue.js";
import { processQueue } from "../../shared/client/controller-loop.js";

const SERVICE_ACCOUNTS: ResourceRef = { group: "", plural: "serviceaccounts" };
export const DEFAULT_SERVICE_ACCOUNT = "default";

export class ServiceAccountController {
  private readonly queue = new WorkQueue();

  constructor(
    private readonly client: ApiClient,
    private readonly namespaces: Informer,
    private readonly serviceAccounts: Informer,
    private readonly log: Logger,
  ) {
    namespaces.addHandlers({ onAdd: (ns) => this.enqueue(ns.metadata.name), onUpdate: (_o, ns) => this.enqueue(ns.metadata.name) });
    serviceAccounts.addHandlers({ onDelete: (sa) => sa.metadata.name === DEFAULT_SERVICE_ACCOUNT && this.enqueue(sa.metadata.namespace) });
  }

  private enqueue(ns: string | undefined): void {
    if (ns) this.queue.add(ns);
  }

  async run(): Promise<void> {
    await Promise.all([this.namespaces.waitForSync(), this.serviceAccounts.waitForSync()]);
    await processQueue(this.queue, (key) => this.reconcile(key), (key, err) =>
      this.log.debug({ namespace: key, err: err.message }, "creating the default service account failed; retrying"),
    );
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp) return;
    if (this.serviceAccounts.get(`${namespace}/${DEFAULT_SERVICE_ACCOUNT}`)) return;
    try {
      await this.client.create(SERVICE_ACCOUNTS, namespace, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } }, "kube-lite-serviceaccounts-controller");
    } catch (err) {
      // Exists already (the cache lagged), or the namespace started terminating: nothing to do.
      if (err instanceof ApiError && (err.code === 409 || err.code === 403 || err.code === 404)) return;
      throw err;
    }
  }
}
