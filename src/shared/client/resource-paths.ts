/**
 * REST paths and query strings of the Kubernetes API, as client-go's `rest.Request` builds them:
 * the core group under `/api/v1`, every other group under `/apis/<group>/<version>`, then an optional
 * `namespaces/<ns>`, the plural, an optional name and subresource.
 */
import type { ClientListOptions } from "./types.js";

/**
 * The path prefix of a group version.
 *
 * @example groupVersionPath("", "v1") === "/api/v1"; groupVersionPath("apps", "v1") === "/apis/apps/v1"
 */
export function groupVersionPath(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

export interface ResourcePathParts {
  group: string;
  version: string;
  plural: string;
  /** Omitted or "" for cluster-scoped resources and for lists across all namespaces. */
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * The path of a resource collection, an object, or an object's subresource. Segments are
 * percent-encoded, so a name can never escape its path segment.
 *
 * @example resourcePath({ group: "", version: "v1", plural: "pods", namespace: "default", name: "web", subresource: "status" })
 *   === "/api/v1/namespaces/default/pods/web/status"
 */
export function resourcePath(p: ResourcePathParts): string {
  if (p.subresource && !p.name) throw new Error(`a subresource (${p.subresource}) needs an object name`);
  let path = groupVersionPath(p.group, p.version);
  if (p.namespace) path += `/namespaces/${encodeURIComponent(p.namespace)}`;
  path += `/${p.plural}`;
  if (p.name) path += `/${encodeURIComponent(p.name)}`;
  if (p.subresource) path += `/${p.subresource}`;
  return path;
}

/** List and watch parameters, the same names as the upstream query parameters. */
export interface ListQuery extends ClientListOptions {
  watch?: boolean;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
}

/**
 * The query string (with its leading "?", or "" when empty) of a list or watch request.
 *
 * @example listQueryString({ labelSelector: "app=web", limit: 500 }) === "?labelSelector=app%3Dweb&limit=500"
 */
export function listQueryString(q: ListQuery): string {
  const params = new URLSearchParams();
  if (q.labelSelector) params.set("labelSelector", q.labelSelector);
  if (q.fieldSelector) params.set("fieldSelector", q.fieldSelector);
  if (q.limit !== undefined && q.limit > 0) params.set("limit", String(q.limit));
  if (q.continue) params.set("continue", q.continue);
  if (q.resourceVersion !== undefined) params.set("resourceVersion", q.resourceVersion);
  if (q.watch) params.set("watch", "true");
  if (q.timeoutSeconds !== undefined) params.set("timeoutSeconds", String(q.timeoutSeconds));
  if (q.allowWatchBookmarks) params.set("allowWatchBookmarks", "true");
  const s = params.toString();
  return s ? `?${s}` : "";
}
