/**
 * Parses a request path into upstream's RequestInfo: API prefix, group, version, namespace, resource,
 * name, subresource and verb (k8s.io/apiserver pkg/endpoints/request/requestinfo.go).
 */
export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** "api" or "apis" for resource requests. */
  apiPrefix: string;
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  /** get, list, watch, create, update, patch, delete, deletecollection, or the lowercase method for non-resource paths. */
  verb: string;
  /** Path parts after the subresource (e.g. the proxy path). */
  rest: string[];
}

const METHOD_VERBS: Record<string, string> = { POST: "create", GET: "get", HEAD: "get", PUT: "update", PATCH: "patch", DELETE: "delete" };

/**
 * @example parseRequestInfo("GET", "/apis/apps/v1/namespaces/default/deployments/web/scale", q)
 *   → { group: "apps", version: "v1", namespace: "default", resource: "deployments", name: "web", subresource: "scale", verb: "get" }
 */
export function parseRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = { isResourceRequest: false, path: pathname, apiPrefix: "", group: "", version: "", namespace: "", resource: "", name: "", subresource: "", verb: method.toLowerCase(), rest: [] };
  const parts = pathname.split("/").filter((p) => p.length > 0).map((p) => decodeURIComponent(p));
  if (parts.length === 0 || (parts[0] !== "api" && parts[0] !== "apis")) return info;
  info.apiPrefix = parts[0]!;
  let i = 1;
  if (info.apiPrefix === "apis") {
    if (parts.length < 3) return info; // /apis, /apis/<group>: discovery
    info.group = parts[1]!;
    i = 2;
  } else if (parts.length < 2) {
    return info; // /api
  }
  info.version = parts[i]!;
  i++;
  let rest = parts.slice(i);
  if (rest.length === 0) return info; // group-version discovery
  info.isResourceRequest = true;
  info.verb = METHOD_VERBS[method] ?? method.toLowerCase();
  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  if (rest[0] === "namespaces") {
    if (rest.length >= 3) {
      info.namespace = rest[1]!;
      rest = rest.slice(2);
    } else {
      // /namespaces or /namespaces/<name>: the namespaces resource itself
      info.resource = "namespaces";
      info.name = rest[1] ?? "";
      info.namespace = rest[1] ?? "";
      rest = [];
    }
  }
  if (rest.length > 0) {
    info.resource = rest[0]!;
    info.name = rest[1] ?? "";
    info.subresource = rest[2] ?? "";
    info.rest = rest.slice(3);
  } else if (info.resource === "namespaces" && info.name === "") {
    info.namespace = "";
  }
  // /api/v1/namespaces/<name>/status|finalize: rest.length was 2, namespace set, resource = status.
  if (info.resource === "status" || info.resource === "finalize") {
    if (!info.name && info.namespace) {
      info.subresource = info.resource;
      info.resource = "namespaces";
      info.name = info.namespace;
    }
  }
  if (info.resource === "namespaces") info.namespace = "";
  if (watchPath) info.verb = "watch";
  else if (info.verb === "get" && !info.name) info.verb = query.get("watch") === "true" || query.get("watch") === "1" ? "watch" : "list";
  else if (info.verb === "delete" && !info.name) info.verb = "deletecollection";
  return info;
}
