/**
 * Storage keys of API objects, kine/etcd style: `/registry/<group or core>/<plural>/<namespace>/<name>`
 * for namespaced kinds and `/registry/<group or core>/<plural>/<name>` for cluster-scoped ones.
 * Several versions of one resource (autoscaling/v1 and v2 HPAs) share a key space, as upstream.
 */
import type { ResourceType } from "./types.js";

function base(rt: Pick<ResourceType, "group" | "plural">): string {
  return `/registry/${rt.group || "core"}/${rt.plural}`;
}

/** @example objectKey(pods, "default", "web") === "/registry/core/pods/default/web" */
export function objectKey(rt: Pick<ResourceType, "group" | "plural" | "namespaced">, namespace: string, name: string): string {
  return rt.namespaced ? `${base(rt)}/${namespace}/${name}` : `${base(rt)}/${name}`;
}

/** Prefix of every object of the resource (namespace undefined) or of one namespace. */
export function collectionPrefix(rt: Pick<ResourceType, "group" | "plural" | "namespaced">, namespace?: string): string {
  return rt.namespaced && namespace ? `${base(rt)}/${namespace}/` : `${base(rt)}/`;
}

/** The namespace and name encoded in a key produced by `objectKey`. */
export function parseObjectKey(rt: Pick<ResourceType, "group" | "plural" | "namespaced">, key: string): { namespace: string; name: string } {
  const rest = key.slice(base(rt).length + 1);
  if (!rt.namespaced) return { namespace: "", name: rest };
  const i = rest.indexOf("/");
  return { namespace: rest.slice(0, i), name: rest.slice(i + 1) };
}
