/**
 * Content negotiation: which representation a client asked for in `Accept` (JSON, a Table, partial
 * object metadata, aggregated discovery) and which media type a request body has.
 */

export interface MediaType {
  type: string; // "application/json"
  params: Record<string, string>;
}

/** Parses an Accept or Content-Type header into media types in order (q-values ignored: clients list preference first). */
export function parseMediaTypes(header: string | undefined): MediaType[] {
  if (!header) return [];
  return header.split(",").map((part) => {
    const [type, ...params] = part.split(";").map((s) => s.trim());
    const p: Record<string, string> = {};
    for (const kv of params) {
      const i = kv.indexOf("=");
      if (i > 0) p[kv.slice(0, i).trim().toLowerCase()] = kv.slice(i + 1).trim().replace(/^"|"$/g, "");
    }
    return { type: (type ?? "").toLowerCase(), params: p };
  });
}

export type ObjectRepresentation = { as: "Object" } | { as: "Table"; version: "v1" | "v1beta1" } | { as: "PartialObjectMetadata" | "PartialObjectMetadataList"; version: "v1" | "v1beta1" };

/**
 * The representation for a resource response: the first `as=Table` / `as=PartialObjectMetadata(List)`
 * entry of group meta.k8s.io we support, else the plain object (JSON).
 */
export function negotiateRepresentation(accept: string | undefined): ObjectRepresentation {
  for (const mt of parseMediaTypes(accept)) {
    const as = mt.params.as;
    if (!as) {
      if (mt.type === "application/json" || mt.type === "*/*" || mt.type === "application/*" || mt.type === "application/yaml") return { as: "Object" };
      continue;
    }
    if (mt.params.g !== "meta.k8s.io") continue;
    const version = mt.params.v === "v1beta1" ? "v1beta1" : mt.params.v === "v1" ? "v1" : undefined;
    if (!version) continue;
    if (as === "Table") return { as: "Table", version };
    if (as === "PartialObjectMetadata" || as === "PartialObjectMetadataList") return { as, version };
  }
  return { as: "Object" };
}

/** Which discovery format to answer `/api` and `/apis` with: aggregated v2, v2beta1, or the legacy lists. */
export function negotiateDiscovery(accept: string | undefined): "v2" | "v2beta1" | "legacy" {
  for (const mt of parseMediaTypes(accept)) {
    if (mt.params.as === "APIGroupDiscoveryList" && mt.params.g === "apidiscovery.k8s.io") {
      if (mt.params.v === "v2") return "v2";
      if (mt.params.v === "v2beta1") return "v2beta1";
      continue;
    }
    if (mt.type === "application/json" || mt.type === "*/*") return "legacy";
  }
  return "legacy";
}

/** The bare media type of a Content-Type header ("application/json"). */
export function bodyMediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Whether the client accepts YAML output (`Accept: application/yaml`) before JSON. */
export function wantsYaml(accept: string | undefined): boolean {
  for (const mt of parseMediaTypes(accept)) {
    if (mt.type === "application/yaml") return true;
    if (mt.type === "application/json" || mt.type === "*/*") return false;
  }
  return false;
}
