/**
 * RootCAPublisher: every active namespace has the `kube-root-ca.crt` ConfigMap holding the cluster CA
 * (`ca.crt`), as upstream's root-ca-cert-publisher maintains it; pods use it to trust the API server.
 * Repairs the ConfigMap when it is deleted or its content changes.
 */
import { ApiError } from "../../shared/api/status.js";
import type { KubeObject } from "../../shared/api/types.js";
import type { Logger } from "../../shared/log.js";
import type { Informer } from "../../shared/client/informer.js";
import type { ApiClient, ResourceRef } from "../../shared/client/types.js";
import { WorkQueue } from "../../shared/client/work-queue.js";
import { processQueue } from "../../shared/client/controller-loop.js";

const CONFIG_MAPS: ResourceRef = { group: "", plural: "configmaps" };
export const ROOT_CA_CONFIGMAP = "kube-root-ca.crt";
const MANAGER = "kube-lite-root-ca-cert-publisher";

export class RootCAPublisher {
  private readonly queue = new WorkQueue();

  constructor(
    private readonly client: ApiClient,
    private readonly namespaces: Informer,
    private readonly configMaps: Informer,
    private readonly caPem: string,
    private readonly log: Logger,
  ) {
    namespaces.addHandlers({ onAdd: (ns) => this.enqueue(ns.metadata.name), onUpdate: (_o, ns) => this.enqueue(ns.metadata.name) });
    const onConfigMap = (cm: KubeObject): void => {
      if (cm.metadata.name === ROOT_CA_CONFIGMAP) this.enqueue(cm.metadata.namespace);
    };
    configMaps.addHandlers({ onUpdate: (_o, cm) => onConfigMap(cm), onDelete: onConfigMap });
  }

  private enqueue(ns: string | undefined): void {
    if (ns) this.queue.add(ns);
  }

  async run(): Promise<void> {
    await Promise.all([this.namespaces.waitForSync(), this.configMaps.waitForSync()]);
    await processQueue(this.queue, (key) => this.reconcile(key), (key, err) => this.log.debug({ namespace: key, err: err.message }, "publishing the root CA failed; retrying"));
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp) return;
    const current = this.configMaps.get(`${namespace}/${ROOT_CA_CONFIGMAP}`);
    const data = { "ca.crt": this.caPem };
    try {
      if (!current) {
        await this.client.create(CONFIG_MAPS, namespace, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { "kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." } }, data }, MANAGER);
      } else if ((current.data as Record<string, string> | undefined)?.["ca.crt"] !== this.caPem) {
        await this.client.update(CONFIG_MAPS, namespace, { ...current, data }, "", MANAGER);
      }
    } catch (err) {
      if (err instanceof ApiError && (err.code === 409 || err.code === 403 || err.code === 404)) {
        if (err.code === 409) this.queue.addAfter(namespace, 100);
        return;
      }
      throw err;
    }
  }
}
