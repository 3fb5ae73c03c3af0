/**
 * The `scale` subresource: an `autoscaling/v1 Scale` view of a workload's replicas
 * (deployments, replicasets, statefulsets, replicationcontrollers). Writing it sets `spec.replicas`.
 */
import type { KubeObject } from "../../shared/api/types.js";
import { badRequest, invalid, methodNotAllowed, fieldError } from "../../shared/api/status.js";
import { formatLabelSelector, formatMapSelector } from "../registry/printing.js";
import { decodeObjectBody, readBody } from "./body.js";
import { applyPatchToObject } from "./patch-request.js";
import { writeJson, writeOptions, type ResourceRequest } from "./resource-handler.js";

interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

function selectorString(obj: KubeObject): string {
  const spec = (obj.spec ?? {}) as { selector?: unknown };
  const sel = spec.selector;
  if (!sel) return "";
  // ReplicationController selectors are plain maps; the apps kinds use LabelSelector.
  if (obj.kind === "ReplicationController") return formatMapSelector(sel as Record<string, string>).replace("<none>", "");
  return formatLabelSelector(sel as never).replace("<none>", "");
}

/** The Scale of a workload object. */
export function scaleOf(obj: KubeObject): Scale {
  const spec = (obj.spec ?? {}) as { replicas?: number };
  const status = (obj.status ?? {}) as { replicas?: number };
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorString(obj) },
  };
}

function checkReplicas(name: string, scale: Scale): number {
  const replicas = scale.spec?.replicas ?? 0;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw invalid("autoscaling", "Scale", name, [fieldError.invalid("spec.replicas", replicas, "must be greater than or equal to 0")]);
  }
  return replicas;
}

export async function scaleSubresource(r: ResourceRequest, ns: string): Promise<void> {
  const name = r.info.name;
  const pretty = r.query.get("pretty") === "true";
  if (r.info.verb === "get") return writeJson(r.res, 200, scaleOf(await r.store.get(ns, name)), { pretty });
  if (r.info.verb !== "update" && r.info.verb !== "patch") throw methodNotAllowed();
  const body = await readBody(r.req);
  const contentType = r.req.headers["content-type"];
  const opts = writeOptions(r);
  const result = await r.store.guaranteedUpdate(ns, name, "scale", opts, (live) => {
    const current = scaleOf(live);
    let desired: Scale;
    if (r.info.verb === "update") {
      desired = decodeObjectBody(body, contentType, "Scale").object as Scale;
      if (desired.kind && desired.kind !== "Scale") throw badRequest(`the kind in the data (${desired.kind}) does not match the expected kind (Scale)`);
      if (desired.metadata?.resourceVersion && desired.metadata.resourceVersion !== live.metadata.resourceVersion) {
        return { ...live, metadata: { ...live.metadata, resourceVersion: desired.metadata.resourceVersion } };
      }
    } else {
      desired = applyPatchToObject(contentType, current, body, "Scale") as Scale;
    }
    const replicas = checkReplicas(name, desired);
    // Only a resourceVersion the client sent is a precondition; otherwise a concurrent write is retried.
    const metadata = { ...live.metadata };
    if (!desired.metadata?.resourceVersion || (r.info.verb === "patch" && desired.metadata.resourceVersion === live.metadata.resourceVersion)) delete metadata.resourceVersion;
    return { ...live, metadata, spec: { ...(live.spec as Record<string, unknown>), replicas } };
  });
  writeJson(r.res, 200, scaleOf(result.object), { pretty });
}
