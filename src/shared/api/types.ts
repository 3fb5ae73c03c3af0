/**
 * Object shapes shared by every role. Field-level types come from `kubernetes-types` (generated from
 * upstream's OpenAPI), so our code and the OpenAPI we serve describe the same objects.
 */
import type { ObjectMeta as UpstreamObjectMeta, OwnerReference, ManagedFieldsEntry, ListMeta as UpstreamListMeta } from "kubernetes-types/meta/v1.js";

/** Drops `readonly` (kubernetes-types marks server-set fields read-only; the server sets them). */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type ObjectMeta = Mutable<UpstreamObjectMeta>;
export type ListMeta = Mutable<UpstreamListMeta>;
export type { OwnerReference, ManagedFieldsEntry };

/** Any Kubernetes object as stored and served: apiVersion/kind, metadata, then kind-specific fields. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** "apps/v1" for (apps, v1); "v1" for the core group. */
export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Splits an apiVersion string into group and version ("v1" → core). */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** JSON deep copy for plain API objects. */
export function deepCopy<T>(v: T): T {
  return structuredClone(v);
}
