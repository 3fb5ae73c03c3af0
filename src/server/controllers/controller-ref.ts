/**
 * Controller references (upstream `ControllerRefManager`): which owner controls an object, and claiming
 * (a controller adopts matching orphans and releases objects it owns that stopped matching its
 * selector). Adoption and release are compare-and-swap updates of `metadata.ownerReferences`, so a
 * race with another writer fails with a conflict and the sync retries.
 */
import { ApiError } from "../../shared/api/status.js";
import type { KubeObject, OwnerReference } from "../../shared/api/types.js";
import type { LabelSelectorMatcher } from "../../shared/api/selectors.js";
import type { ApiClient, ResourceRef } from "../../shared/client/types.js";

/**
 * The owner reference with `controller: true`, if any.
 *
 * @example controllerRefOf(pod)?.uid === rs.metadata.uid
 */
export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/**
 * The reference a controller puts on what it creates: controller, and blocking foreground deletion of
 * the owner until the dependent is gone.
 *
 * @example pod.metadata.ownerReferences = [newControllerRef(rs, "apps/v1", "ReplicaSet")]
 */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? "", uid: owner.metadata.uid ?? "", controller: true, blockOwnerDeletion: true };
}

export interface ClaimOptions {
  client: ApiClient;
  /** The dependents' resource (pods, replicasets). */
  ref: ResourceRef;
  owner: KubeObject;
  ownerApiVersion: string;
  ownerKind: string;
  selector: LabelSelectorMatcher;
  /** Upstream's adoption recheck: a fresh read proving the owner still exists and is not being deleted. */
  canAdopt: () => Promise<boolean>;
  fieldManager: string;
}

function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

/** Reads the live object, applies `change`; writes it unless `change` returns false. Undefined when gone. */
async function updateOwnerRefs(opts: ClaimOptions, obj: KubeObject, change: (live: KubeObject) => boolean): Promise<KubeObject | undefined> {
  const ns = obj.metadata.namespace ?? "";
  try {
    const live = await opts.client.get(opts.ref, ns, obj.metadata.name ?? "");
    if (live.metadata.uid !== obj.metadata.uid) return undefined;
    if (!change(live)) return undefined;
    return await opts.client.update(opts.ref, ns, live, "", opts.fieldManager);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * The objects `owner` controls after adopting matching orphans and releasing non-matching ones
 * (upstream `ClaimPods` / `ClaimReplicaSets`). Errors other than NotFound are thrown after every object
 * was tried, so one bad write does not block the rest.
 *
 * @example const pods = await claimObjects(podsInNamespace, { client, ref: PODS, owner: rs, ownerApiVersion: "apps/v1", ownerKind: "ReplicaSet", selector, canAdopt, fieldManager });
 */
export async function claimObjects(objs: KubeObject[], opts: ClaimOptions): Promise<KubeObject[]> {
  const ownerUid = opts.owner.metadata.uid;
  const ownerDeleting = Boolean(opts.owner.metadata.deletionTimestamp);
  const claimed: KubeObject[] = [];
  let adoptionChecked: boolean | undefined;
  let firstError: unknown;
  for (const obj of objs) {
    const ref = controllerRefOf(obj);
    const matches = opts.selector.matches(obj.metadata.labels);
    try {
      if (ref) {
        if (ref.uid !== ownerUid) continue;
        if (matches) {
          claimed.push(obj);
          continue;
        }
        if (ownerDeleting) continue;
        // Ours but no longer selected: release it.
        await updateOwnerRefs(opts, obj, (live) => {
          const refs = live.metadata.ownerReferences ?? [];
          const kept = refs.filter((r) => r.uid !== ownerUid);
          if (kept.length === refs.length) return false;
          if (kept.length) live.metadata.ownerReferences = kept;
          else delete live.metadata.ownerReferences;
          return true;
        });
        continue;
      }
      if (ownerDeleting || !matches || obj.metadata.deletionTimestamp) continue;
      adoptionChecked ??= await opts.canAdopt();
      if (!adoptionChecked) continue;
      const adopted = await updateOwnerRefs(opts, obj, (live) => {
        if (controllerRefOf(live) || live.metadata.deletionTimestamp || !opts.selector.matches(live.metadata.labels)) return false;
        const refs = (live.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
        live.metadata.ownerReferences = [...refs, newControllerRef(opts.owner, opts.ownerApiVersion, opts.ownerKind)];
        return true;
      });
      if (adopted) claimed.push(adopted);
    } catch (err) {
      firstError ??= err;
    }
  }
  if (firstError) throw firstError;
  return claimed;
}

/**
 * A `canAdopt` check: the owner, read fresh, has the same UID and no deletionTimestamp.
 *
 * @example canAdopt: ownerStillLive(client, REPLICASETS, rs)
 */
export function ownerStillLive(client: ApiClient, ref: ResourceRef, owner: KubeObject): () => Promise<boolean> {
  return async () => {
    try {
      const fresh = await client.get(ref, owner.metadata.namespace ?? "", owner.metadata.name ?? "");
      return fresh.metadata.uid === owner.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  };
}
