/**
 * The `paths` section of a per-group-version OpenAPI v3 document: one operation per verb a resource
 * serves, shaped as upstream's (`x-kubernetes-action`, `x-kubernetes-group-version-kind`, the query
 * parameters kubectl looks for). kubectl reads the PATCH operation of a kind to decide that the
 * server does field validation (`fieldValidation` parameter) and which patch types it accepts.
 */
import type { ResourceType, SubresourceSpec, Verb } from "../../registry/types.js";
import type { GroupVersionKind } from "../../../shared/api/types.js";

export type OpenApiOperation = Record<string, unknown>;
export type OpenApiPathItem = Record<string, unknown>;

const REF_PREFIX = "#/components/schemas/";
export const META_V1 = "io.k8s.apimachinery.pkg.apis.meta.v1";
export const STATUS_SCHEMA = `${META_V1}.Status`;
export const DELETE_OPTIONS_SCHEMA = `${META_V1}.DeleteOptions`;
export const PATCH_SCHEMA = `${META_V1}.Patch`;

/** Content types of PATCH request bodies, as upstream lists them (kubectl requires the SMP one for client-side apply). */
export const PATCH_CONTENT_TYPES = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];

/** Subresources that stream or proxy rather than read/write an object; they get no operations here. */
const STREAMING_SUBRESOURCES = new Set(["log", "exec", "attach", "portforward", "proxy"]);

function queryParam(name: string, description: string, type: "string" | "boolean" | "integer" = "string"): Record<string, unknown> {
  return { name, in: "query", description, schema: { type, uniqueItems: true } };
}

const P = {
  pretty: queryParam("pretty", "If 'true', then the output is pretty printed."),
  dryRun: queryParam(
    "dryRun",
    "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed",
  ),
  fieldManager: queryParam(
    "fieldManager",
    "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.",
  ),
  fieldValidation: queryParam(
    "fieldValidation",
    "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.",
  ),
  force: queryParam(
    "force",
    "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.",
    "boolean",
  ),
  gracePeriodSeconds: queryParam(
    "gracePeriodSeconds",
    "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.",
    "integer",
  ),
  propagationPolicy: queryParam(
    "propagationPolicy",
    "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground.",
  ),
  orphanDependents: queryParam("orphanDependents", "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7.", "boolean"),
  allowWatchBookmarks: queryParam("allowWatchBookmarks", "allowWatchBookmarks requests watch events with type \"BOOKMARK\".", "boolean"),
  continue: queryParam("continue", "The continue option should be set when retrieving more results from the server."),
  fieldSelector: queryParam("fieldSelector", "A selector to restrict the list of returned objects by their fields. Defaults to everything."),
  labelSelector: queryParam("labelSelector", "A selector to restrict the list of returned objects by their labels. Defaults to everything."),
  limit: queryParam("limit", "limit is a maximum number of responses to return for a list call.", "integer"),
  resourceVersion: queryParam("resourceVersion", "resourceVersion sets a constraint on what resource versions a request may be served from."),
  resourceVersionMatch: queryParam("resourceVersionMatch", "resourceVersionMatch determines how resourceVersion is applied to list calls."),
  sendInitialEvents: queryParam("sendInitialEvents", "`sendInitialEvents=true` may be set together with `watch=true`.", "boolean"),
  timeoutSeconds: queryParam("timeoutSeconds", "Timeout for the list/watch call.", "integer"),
  watch: queryParam("watch", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.", "boolean"),
};
const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];

function pathParam(name: string, description: string): Record<string, unknown> {
  return { name, in: "path", description, required: true, schema: { type: "string", uniqueItems: true } };
}

function jsonBody(schema: Record<string, unknown>): Record<string, unknown> {
  return { content: { "*/*": { schema } }, required: true };
}

function okResponses(schema: Record<string, unknown>, codes: string[] = ["200"]): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  const labels: Record<string, string> = { "200": "OK", "201": "Created", "202": "Accepted" };
  for (const code of codes) responses[code] = { description: labels[code], content: { "application/json": { schema } } };
  responses["401"] = { description: "Unauthorized" };
  return responses;
}

/** `apps.v1` → `AppsV1`, `rbac.authorization.k8s.io` v1 → `RbacAuthorizationV1`, core → `CoreV1` (upstream operationId style). */
function operationGroupVersion(group: string, version: string): string {
  const g = group === "" ? "core" : group.replace(/\.k8s\.io$/, "");
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return g.split(".").map(cap).join("") + cap(version);
}

/** Resolves a kind to a `$ref` schema, or a free-form object when we ship no schema for it (custom resources). */
export type SchemaLookup = (gvk: GroupVersionKind) => string | undefined;

function schemaRef(lookup: SchemaLookup, gvk: GroupVersionKind): Record<string, unknown> {
  const name = lookup(gvk);
  return name ? { $ref: REF_PREFIX + name } : { type: "object", "x-kubernetes-preserve-unknown-fields": true };
}

/** URL prefix of a group-version: `/api/v1` or `/apis/apps/v1`. */
export function groupVersionPrefix(group: string, version: string): string {
  return group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
}

/**
 * Path items for one resource: collection and item paths (namespaced and, for lists, across
 * namespaces), plus read/write subresources such as `status` and `scale`.
 *
 * @example resourcePaths(deployments, lookup)["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch
 */
export function resourcePaths(rt: ResourceType, lookup: SchemaLookup): Record<string, OpenApiPathItem> {
  const paths: Record<string, OpenApiPathItem> = {};
  const gvk: GroupVersionKind = { group: rt.group, version: rt.version, kind: rt.kind };
  const listGvk: GroupVersionKind = { group: rt.group, version: rt.version, kind: rt.listKind };
  const tag = `${rt.group === "" ? "core" : rt.group.replace(/\.k8s\.io$/, "").replace(/\./g, "")}_${rt.version}`;
  const opGv = operationGroupVersion(rt.group, rt.version);
  const scope = rt.namespaced ? "Namespaced" : "";
  const has = (v: Verb) => rt.verbs.includes(v);
  const kindSchema = schemaRef(lookup, gvk);
  const listSchema = schemaRef(lookup, listGvk);
  const statusSchema = { $ref: REF_PREFIX + STATUS_SCHEMA };
  const prefix = groupVersionPrefix(rt.group, rt.version);
  const collection = rt.namespaced ? `${prefix}/namespaces/{namespace}/${rt.plural}` : `${prefix}/${rt.plural}`;
  const item = `${collection}/{name}`;
  const nsParam = pathParam("namespace", "object name and auth scope, such as for teams and projects");
  const nameParam = pathParam("name", `name of the ${rt.kind}`);

  const op = (action: string, verbWord: string, suffix: string, target: GroupVersionKind, extra: Record<string, unknown>): OpenApiOperation => ({
    description: `${verbWord} ${target.kind}`,
    operationId: `${action === "put" ? "replace" : action === "get" ? "read" : action === "post" ? "create" : action}${opGv}${scope}${rt.kind}${suffix}`,
    tags: [tag],
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": target,
    ...extra,
  });

  // Collection: list, create, deletecollection.
  const coll: OpenApiPathItem = {};
  if (has("list")) coll.get = { ...op("list", "list or watch objects of kind", "", gvk, { parameters: LIST_PARAMS, responses: okResponses(listSchema) }), operationId: `list${opGv}${scope}${rt.kind}` };
  if (has("create")) coll.post = op("post", "create a", "", gvk, { parameters: WRITE_PARAMS, requestBody: jsonBody(kindSchema), responses: okResponses(kindSchema, ["200", "201", "202"]) });
  if (has("deletecollection")) {
    coll.delete = {
      ...op("deletecollection", "delete collection of", "", gvk, {
        parameters: [...LIST_PARAMS, P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy],
        requestBody: { content: { "*/*": { schema: { $ref: REF_PREFIX + DELETE_OPTIONS_SCHEMA } } } },
        responses: okResponses(statusSchema),
      }),
      operationId: `delete${opGv}Collection${scope}${rt.kind}`,
    };
  }
  if (Object.keys(coll).length) paths[collection] = { ...coll, parameters: rt.namespaced ? [nsParam, P.pretty] : [P.pretty] };

  // Across namespaces: list only.
  if (rt.namespaced && has("list")) {
    paths[`${prefix}/${rt.plural}`] = {
      get: { ...op("list", "list or watch objects of kind", "", gvk, { parameters: LIST_PARAMS, responses: okResponses(listSchema) }), operationId: `list${opGv}${rt.kind}ForAllNamespaces` },
      parameters: [P.pretty],
    };
  }

  // Item: get, replace, patch, delete.
  const it: OpenApiPathItem = {};
  if (has("get")) it.get = op("get", "read the specified", "", gvk, { responses: okResponses(kindSchema) });
  if (has("update")) it.put = op("put", "replace the specified", "", gvk, { parameters: WRITE_PARAMS, requestBody: jsonBody(kindSchema), responses: okResponses(kindSchema, ["200", "201"]) });
  if (has("patch")) it.patch = op("patch", "partially update the specified", "", gvk, patchExtras(kindSchema));
  if (has("delete")) {
    it.delete = op("delete", "delete a", "", gvk, {
      parameters: [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy],
      requestBody: { content: { "*/*": { schema: { $ref: REF_PREFIX + DELETE_OPTIONS_SCHEMA } } } },
      responses: okResponses(rt.returnDeletedObject ? kindSchema : statusSchema, ["200", "202"]),
    });
  }
  const itemParams = rt.namespaced ? [nameParam, nsParam, P.pretty] : [nameParam, P.pretty];
  if (Object.keys(it).length) paths[item] = { ...it, parameters: itemParams };

  for (const sub of rt.subresources) {
    const entry = subresourcePath(sub, gvk, lookup, op);
    if (entry) paths[`${item}/${sub.name}`] = { ...entry, parameters: itemParams };
  }
  return paths;
}

function patchExtras(schema: Record<string, unknown>): Record<string, unknown> {
  const patchBody = { $ref: REF_PREFIX + PATCH_SCHEMA };
  return {
    parameters: [...WRITE_PARAMS, P.force],
    requestBody: { content: Object.fromEntries(PATCH_CONTENT_TYPES.map((t) => [t, { schema: patchBody }])), required: true },
    responses: okResponses(schema, ["200", "201"]),
  };
}

type OpBuilder = (action: string, verbWord: string, suffix: string, target: GroupVersionKind, extra: Record<string, unknown>) => OpenApiOperation;

function subresourcePath(sub: SubresourceSpec, parent: GroupVersionKind, lookup: SchemaLookup, op: OpBuilder): OpenApiPathItem | undefined {
  if (STREAMING_SUBRESOURCES.has(sub.name)) return undefined;
  const target: GroupVersionKind = sub.kind ? { group: sub.group ?? parent.group, version: sub.version ?? parent.version, kind: sub.kind } : parent;
  const schema = schemaRef(lookup, target);
  const suffix = sub.name.charAt(0).toUpperCase() + sub.name.slice(1);
  const entry: OpenApiPathItem = {};
  const word = (w: string) => `${w} ${sub.name} of the specified`;
  if (sub.verbs.includes("get")) entry.get = op("get", word("read"), suffix, target, { responses: okResponses(schema) });
  if (sub.verbs.includes("update")) entry.put = op("put", word("replace"), suffix, target, { parameters: WRITE_PARAMS, requestBody: jsonBody(schema), responses: okResponses(schema, ["200", "201"]) });
  if (sub.verbs.includes("patch")) entry.patch = op("patch", word("partially update"), suffix, target, patchExtras(schema));
  if (sub.verbs.includes("create")) entry.post = op("post", `create ${sub.name} of a`, suffix, target, { parameters: WRITE_PARAMS, requestBody: jsonBody(schema), responses: okResponses(schema, ["200", "201", "202"]) });
  return Object.keys(entry).length ? entry : undefined;
}
