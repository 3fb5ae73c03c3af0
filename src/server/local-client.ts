/**
 * The in-process `ApiClient`: controllers in the server call the registry stores directly, with the
 * same semantics (validation, admission, preconditions, watch) as the HTTP API.
 */
import type { KubeList, KubeObject } from "../shared/api/types.js";
import type { ApiClient, ClientDeleteOptions, ClientListOptions, ClientWatchEvent, ResourceRef } from "../shared/client/types.js";
import type { ControlPlane } from "./control-plane.js";
import type { GenericStore } from "./registry/generic-store.js";

export class LocalClient implements ApiClient {
  constructor(private readonly cp: ControlPlane) {}

  private storeFor(ref: ResourceRef): GenericStore {
    if (ref.version) {
      const rt = this.cp.registry.lookup(ref.group, ref.version, ref.plural);
      if (rt) return this.cp.stores.get(rt)!;
    }
    return this.cp.store(ref.group, ref.plural);
  }

  get(ref: ResourceRef, namespace: string, name: string): Promise<KubeObject> {
    return this.storeFor(ref).get(namespace, name);
  }

  list(ref: ResourceRef, namespace?: string, opts: ClientListOptions = {}): Promise<KubeList> {
    return this.storeFor(ref).list(namespace, opts);
  }

  create(ref: ResourceRef, namespace: string, obj: KubeObject, fieldManager?: string): Promise<KubeObject> {
    return this.storeFor(ref).create(namespace, obj, { fieldManager });
  }

  async update(ref: ResourceRef, namespace: string, obj: KubeObject, subresource: "" | "status" | "finalize" = "", fieldManager?: string): Promise<KubeObject> {
    const store = this.storeFor(ref);
    if (subresource === "finalize") {
      const finalizers = ((obj.spec ?? {}) as { finalizers?: string[] }).finalizers ?? [];
      const r = await store.guaranteedUpdate(namespace, obj.metadata.name!, "finalize", { fieldManager }, (live) => {
        if (obj.metadata.resourceVersion) live.metadata.resourceVersion = obj.metadata.resourceVersion;
        return { ...live, spec: { ...(live.spec as object), finalizers } };
      });
      return r.object;
    }
    return (await store.update(namespace, obj.metadata.name!, obj, subresource, { fieldManager })).object;
  }

  async delete(ref: ResourceRef, namespace: string, name: string, opts: ClientDeleteOptions = {}): Promise<void> {
    await this.storeFor(ref).delete(namespace, name, opts);
  }

  watch(ref: ResourceRef, namespace: string | undefined, opts: ClientListOptions, onEvent: (ev: ClientWatchEvent) => void, onEnd: (err?: Error) => void): Promise<{ close(): void }> {
    return this.storeFor(ref).watch(namespace, opts, (ev) => onEvent(ev as ClientWatchEvent), onEnd);
  }
}
