/**
 * The `pods/binding` subresource and the legacy `bindings` collection: a scheduler assigns a pending
 * pod to a node by POSTing a `v1 Binding`. As upstream's `BindingREST` (pkg/registry/core/pod/storage):
 * the pod's `spec.nodeName` is set once, the binding's annotations are copied onto the pod, the
 * `PodScheduled` condition becomes True, and the answer is `201` with a success `Status`. A pod that is
 * already bound, being deleted or still gated is a 409 Conflict on `pods/binding`. As upstream, the
 * write does not touch the pod's managedFields (the field manager sees only the Binding object).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Binding, PodCondition, PodSpec, PodStatus } from "kubernetes-types/core/v1.js";
import { ApiError, badRequest, conflict, invalid, type StatusCause } from "../../shared/api/status.js";
import type { KubeObject } from "../../shared/api/types.js";
import type { GenericStore, WriteOptions } from "../registry/generic-store.js";
import { bindings } from "../registry/core-v1/bindings.js";
import type { UserInfo } from "./auth.js";
import type { VirtualCreateHandler } from "./api-handler.js";
import { decodeObjectBody, readBody } from "./body.js";
import { writeJson, writeOptions, type ResourceRequest, type SubresourceHandler } from "./resource-handler.js";
import { rfc3339 } from "../../shared/api/time.js";

/** The request a binding carries, after decoding and validation. */
export interface PodBindingRequest {
  namespace: string;
  /** The pod's name (the Binding's own name). */
  name: string;
  /** The node to assign the pod to. */
  nodeName: string;
  /** Optional precondition: the pod's UID must be this one. */
  uid?: string;
  /** Optional precondition: the pod's resourceVersion must be this one. */
  resourceVersion?: string;
  /** Copied onto the pod's annotations. */
  annotations?: Record<string, string>;
}

/** 409 on `pods/binding "<name>"` with upstream's reason text. */
function bindingConflict(name: string, why: string): ApiError {
  return conflict("", "pods/binding", name, why);
}

/** Sets or replaces one condition, as upstream's `podutil.UpdatePodCondition` (transition time moves only on a status change). */
function setCondition(status: PodStatus, cond: PodCondition, now: string): void {
  const conditions = [...(status.conditions ?? [])];
  const i = conditions.findIndex((c) => c.type === cond.type);
  const old = i >= 0 ? conditions[i] : undefined;
  // Upstream serialises the unset probe time as null.
  const next = { ...cond, lastProbeTime: null, lastTransitionTime: old && old.status === cond.status ? old.lastTransitionTime : now } as unknown as PodCondition;
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
  status.conditions = conditions;
}

/**
 * Assigns a pod to a node through the pod store (the code path of both binding endpoints, and of the
 * in-process scheduler): one compare-and-swap update with subresource "binding", so pod validation lets
 * `spec.nodeName` change. Only `dryRun` of the options is used. Returns the bound pod.
 *
 * @example await bindPod(cp.store("", "pods"), { namespace: "default", name: "web-0", nodeName: "pi-1" });
 */
export async function bindPod(pods: GenericStore, b: PodBindingRequest, opts: WriteOptions = {}): Promise<KubeObject> {
  let bound: KubeObject;
  try {
    const result = await pods.guaranteedUpdate(b.namespace, b.name, "binding", opts, (live) => {
      const spec = (live.spec ?? {}) as PodSpec;
      if (b.uid && live.metadata.uid !== b.uid) {
        throw conflict("", "pods", b.name, `Precondition failed: UID in precondition: ${b.uid}, UID in object meta: ${live.metadata.uid ?? ""}`);
      }
      if (live.metadata.deletionTimestamp) throw bindingConflict(b.name, `pod ${b.name} is being deleted, cannot be assigned to a host`);
      if (b.resourceVersion && b.resourceVersion !== live.metadata.resourceVersion) throw conflict("", "pods", b.name);
      if (spec.nodeName) throw bindingConflict(b.name, `pod ${b.name} is already assigned to node "${spec.nodeName}"`);
      if (spec.schedulingGates?.length) throw bindingConflict(b.name, `pod ${b.name} has non-empty .spec.schedulingGates`);
      const next: KubeObject = { ...live, spec: { ...spec, nodeName: b.nodeName } };
      if (b.annotations && Object.keys(b.annotations).length) {
        next.metadata = { ...live.metadata, annotations: { ...(live.metadata.annotations ?? {}), ...b.annotations } };
      }
      next.status = withScheduledCondition(live);
      return next;
    });
    bound = result.object;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw bindingConflict(b.name, (err as Error).message);
  }
  if (opts.dryRun || isScheduled(bound)) return bound;
  // The generic store keeps a pod's status on non-status writes, so the condition lands in its own
  // status write (a no-op once the store lets a binding write status, as upstream's does in one step).
  const marked = await pods.guaranteedUpdate(b.namespace, b.name, "status", {}, (live) => ({ ...live, status: withScheduledCondition(live) }));
  return marked.object;
}

function isScheduled(pod: KubeObject): boolean {
  return ((pod.status ?? {}) as PodStatus).conditions?.some((c) => c.type === "PodScheduled" && c.status === "True") ?? false;
}

/** The pod's status with `PodScheduled=True`. */
function withScheduledCondition(pod: KubeObject): KubeObject["status"] {
  const status = { ...((pod.status ?? {}) as PodStatus) };
  setCondition(status, { type: "PodScheduled", status: "True" }, rfc3339());
  return status as KubeObject["status"];
}

/** Upstream `ValidatePodBinding` through the Binding registry entry, then the request's fields. */
function toBindingRequest(obj: KubeObject, namespace: string, urlName: string | undefined): PodBindingRequest {
  const binding = obj as unknown as Binding;
  const name = obj.metadata?.name ?? "";
  if (urlName !== undefined && name !== urlName) throw badRequest("name in URL does not match name in Binding object");
  const causes: StatusCause[] = bindings.validate?.(obj, undefined, { operation: "create", subresource: "", dryRun: false }) ?? [];
  if (causes.length) throw invalid("", "Binding", name, causes);
  if (obj.metadata?.namespace && obj.metadata.namespace !== namespace) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  return {
    namespace,
    name,
    nodeName: binding.target.name!,
    uid: obj.metadata?.uid || undefined,
    resourceVersion: obj.metadata?.resourceVersion || undefined,
    annotations: obj.metadata?.annotations,
  };
}

async function readBinding(req: IncomingMessage): Promise<KubeObject> {
  const body = await readBody(req);
  const obj = decodeObjectBody(body, req.headers["content-type"], "Binding").object as KubeObject;
  if (obj.kind && obj.kind !== "Binding") throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (Binding)`);
  obj.metadata ??= {};
  return obj;
}

/** The success answer of both endpoints: upstream returns `Status{Success}` with the create code. */
function writeBound(res: ServerResponse): void {
  writeJson(res, 201, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
}

/**
 * Handler for `POST /api/v1/namespaces/<ns>/pods/<name>/binding`; register it in the control plane's
 * `subresourceHandlers` under `/pods/binding`.
 *
 * @example cp.subresourceHandlers.set("/pods/binding", podBindingHandler);
 */
export const podBindingHandler: SubresourceHandler = async (r: ResourceRequest, namespace: string) => {
  if (r.info.verb !== "create") throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  const obj = await readBinding(r.req);
  const request = toBindingRequest(obj, namespace, r.info.name);
  await bindPod(r.store, request, { dryRun: writeOptions(r).dryRun });
  writeBound(r.res);
};

/**
 * Handler for the legacy `POST /api/v1/namespaces/<ns>/bindings` (the Binding names the pod); register
 * it in the control plane's `virtualCreate` under `/v1/bindings`, so no store keeps Binding objects.
 *
 * @example cp.virtualCreate.set("/v1/bindings", legacyBindingsHandler(() => cp.store("", "pods")));
 */
export function legacyBindingsHandler(pods: () => GenericStore): VirtualCreateHandler {
  return async (req: IncomingMessage, res: ServerResponse, _user: UserInfo, namespace: string) => {
    const obj = await readBinding(req);
    const request = toBindingRequest(obj, namespace, undefined);
    const q = new URL(req.url ?? "/", "https://localhost").searchParams;
    await bindPod(pods(), request, { dryRun: writeOptions({ query: q, req }).dryRun });
    writeBound(res);
  };
}
