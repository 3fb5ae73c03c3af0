/**
 * Discovery documents, all derived from the registry: `/api`, `/apis` (legacy lists or aggregated
 * `APIGroupDiscoveryList` v2/v2beta1), `/api/v1`, `/apis/<group>`, `/apis/<group>/<version>`.
 * Documents are built once per process and served from memory.
 */
import { createHash } from "node:crypto";
import type { Registry } from "../registry/registry.js";
import type { ResourceType, Verb } from "../registry/types.js";

function sortedVerbs(verbs: readonly string[]): string[] {
  return [...verbs].sort();
}

/** A stable short hash like upstream's storageVersionHash (clients only compare it for equality). */
function storageVersionHash(rt: ResourceType): string {
  return createHash("sha256").update(`${rt.group}/${rt.version}/${rt.kind}`).digest("base64").slice(0, 11);
}

function subresourceVerbs(verbs: Verb[]): string[] {
  return sortedVerbs(verbs);
}

function legacyResourceList(rts: ResourceType[], groupVersion: string): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const rt of rts) {
    const r: Record<string, unknown> = { name: rt.plural, singularName: rt.singular, namespaced: rt.namespaced, kind: rt.kind, verbs: sortedVerbs(rt.verbs) };
    if (rt.shortNames.length) r.shortNames = rt.shortNames;
    if (rt.categories.length) r.categories = rt.categories;
    if (rt.verbs.length > 1) r.storageVersionHash = storageVersionHash(rt);
    resources.push(r);
    for (const sub of rt.subresources) {
      const s: Record<string, unknown> = { name: `${rt.plural}/${sub.name}`, singularName: "", namespaced: rt.namespaced, kind: sub.kind ?? rt.kind, verbs: subresourceVerbs(sub.verbs) };
      if (sub.group !== undefined) s.group = sub.group;
      if (sub.version !== undefined) s.version = sub.version;
      resources.push(s);
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion, resources };
}

function aggregatedResource(rt: ResourceType): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: rt.plural,
    responseKind: { group: rt.group, version: rt.version, kind: rt.kind },
    scope: rt.namespaced ? "Namespaced" : "Cluster",
    singularResource: rt.singular,
    verbs: sortedVerbs(rt.verbs),
  };
  if (rt.shortNames.length) r.shortNames = rt.shortNames;
  if (rt.categories.length) r.categories = rt.categories;
  if (rt.subresources.length) {
    r.subresources = rt.subresources.map((sub) => ({
      subresource: sub.name,
      responseKind: { group: sub.group ?? rt.group, version: sub.version ?? rt.version, kind: sub.kind ?? rt.kind },
      verbs: subresourceVerbs(sub.verbs),
    }));
  }
  return r;
}

export class Discovery {
  private readonly cache = new Map<string, string>();

  constructor(private readonly registry: Registry) {}

  private memo(key: string, build: () => unknown): string {
    let v = this.cache.get(key);
    if (v === undefined) {
      v = JSON.stringify(build());
      this.cache.set(key, v);
    }
    return v;
  }

  /** `GET /api` (legacy). */
  apiVersions(serverAddress: string): string {
    return JSON.stringify({ kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] });
  }

  private groupEntry(name: string, versions: string[]): Record<string, unknown> {
    const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { name, versions: vs, preferredVersion: vs[0] };
  }

  /** `GET /apis` (legacy). */
  apiGroupList(): string {
    return this.memo("apis", () => ({
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: this.registry.groups.filter((g) => g.name !== "").map((g) => this.groupEntry(g.name, g.versions)),
    }));
  }

  /** `GET /apis/<group>`. */
  apiGroup(group: string): string | undefined {
    const g = this.registry.groups.find((x) => x.name === group && group !== "");
    if (!g) return undefined;
    return this.memo(`group:${group}`, () => ({ kind: "APIGroup", apiVersion: "v1", ...this.groupEntry(g.name, g.versions) }));
  }

  /** `GET /api/v1` or `GET /apis/<group>/<version>`. */
  resourceList(group: string, version: string): string | undefined {
    if (!this.registry.hasGroupVersion(group, version)) return undefined;
    return this.memo(`rl:${group}/${version}`, () => legacyResourceList(this.registry.resourcesFor(group, version), group ? `${group}/${version}` : version));
  }

  /** Aggregated discovery for `/api` (core only) or `/apis` (every other group). */
  aggregated(core: boolean, version: "v2" | "v2beta1"): string {
    return this.memo(`agg:${core}:${version}`, () => ({
      kind: "APIGroupDiscoveryList",
      apiVersion: `apidiscovery.k8s.io/${version}`,
      metadata: {},
      items: this.registry.groups
        .filter((g) => (g.name === "") === core)
        .map((g) => ({
          metadata: { name: g.name, creationTimestamp: null },
          versions: g.versions.map((v) => ({ version: v, freshness: "Current", resources: this.registry.resourcesFor(g.name, v).map(aggregatedResource) })),
        })),
    }));
  }
}

export function aggregatedContentType(version: "v2" | "v2beta1"): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}
