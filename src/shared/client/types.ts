/**
 * The client interface controllers and agents program against. The server's in-process client and the
 * HTTP client (agents, later) implement it with the same semantics, so a controller runs unchanged
 * against a remote server.
 */
import type { KubeList, KubeObject } from "../api/types.js";

/** A resource by group and plural; the version is the group's preferred one unless given. */
export interface ResourceRef {
  group: string;
  plural: string;
  version?: string;
}

export interface ClientListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  /** Watch only: the server ends the stream cleanly after this many seconds (reflectors send 300–600). */
  timeoutSeconds?: number;
  /** Watch only: the server may send BOOKMARK events carrying only a newer resourceVersion. */
  allowWatchBookmarks?: boolean;
}

/** Patch body formats: RFC 6902 JSON patch, RFC 7386 merge patch, strategic merge patch, server-side apply. */
export type PatchType = "json" | "merge" | "strategic" | "apply";

export interface ClientPatchOptions {
  /** "status", "scale", … ; omitted for the object itself. */
  subresource?: string;
  /** Required by server-side apply; recorded in managedFields for the other types. */
  fieldManager?: string;
  /** Server-side apply only: take ownership of fields other managers own. */
  force?: boolean;
}

export interface ClientWatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject;
}

export interface ClientDeleteOptions {
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ApiClient {
  get(ref: ResourceRef, namespace: string, name: string): Promise<KubeObject>;
  list(ref: ResourceRef, namespace?: string, opts?: ClientListOptions): Promise<KubeList>;
  create(ref: ResourceRef, namespace: string, obj: KubeObject, fieldManager?: string): Promise<KubeObject>;
  update(ref: ResourceRef, namespace: string, obj: KubeObject, subresource?: "" | "status" | "finalize", fieldManager?: string): Promise<KubeObject>;
  delete(ref: ResourceRef, namespace: string, name: string, opts?: ClientDeleteOptions): Promise<void>;
  /** Streams events after `resourceVersion` until closed; `onEnd` fires once when the stream ends for any reason but close(). */
  watch(ref: ResourceRef, namespace: string | undefined, opts: ClientListOptions, onEvent: (ev: ClientWatchEvent) => void, onEnd: (err?: Error) => void): Promise<{ close(): void }>;
  /** Patches an object (or its subresource); optional: the HTTP client has it, callers check before use. */
  patch?(ref: ResourceRef, namespace: string, name: string, patch: unknown, type: PatchType, opts?: ClientPatchOptions): Promise<KubeObject>;
}

/** Cache key of an object, as upstream's MetaNamespaceKeyFunc: "ns/name" or "name". */
export function objectCacheKey(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name ?? "";
}
