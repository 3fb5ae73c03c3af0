/**
 * GarbageCollector: deletes dependents whose owners are gone and carries out `propagationPolicy`, as
 * upstream's garbage collector does. It keeps a small graph (uid → owners, owner uid → dependents)
 * fed by a watch on every resource, and works through a rate-limited queue:
 * - `dependent`: every owner of an object is gone (checked live, by name and uid) → delete it
 *   (Background); owners gone but others alive → drop the dangling references.
 * - `orphan`: an owner being deleted with the `orphan` finalizer → remove its ownerReferences from
 *   the dependents, then the finalizer.
 * - `foreground`: an owner being deleted with `foregroundDeletion` → delete its dependents, wait until
 *   they are gone, then remove the finalizer.
 */
import { ApiError } from "../../shared/api/status.js";
import type { KubeObject, OwnerReference } from "../../shared/api/types.js";
import type { Logger } from "../../shared/log.js";
import type { ApiClient, ResourceRef } from "../../shared/client/types.js";
import { WorkQueue } from "../../shared/client/work-queue.js";
import { processQueue } from "../../shared/client/controller-loop.js";

const FINALIZER_ORPHAN = "orphan";
const FINALIZER_FOREGROUND = "foregroundDeletion";
/** Pause before re-watching a resource whose watch ended. */
const REWATCH_DELAY_MS = 500;
/** While dependents of a foreground deletion remain, look again after this delay. */
const FOREGROUND_RECHECK_MS = 500;

interface GraphNode {
  ref: ResourceRef;
  namespace: string;
  name: string;
  owners: OwnerReference[];
  deleting: boolean;
  finalizers: string[];
}

/** Maps an owner reference's apiVersion/kind to the resource that serves it. */
export type KindResolver = (apiVersion: string, kind: string) => ResourceRef | undefined;

function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.code === 409;
}

export class GarbageCollector {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly queue = new WorkQueue();
  private readonly watches: { close(): void }[] = [];
  private stopped = false;

  constructor(
    private readonly client: ApiClient,
    private readonly resources: ResourceRef[],
    private readonly resolveKind: KindResolver,
    private readonly log: Logger,
  ) {}

  async run(workers = 1): Promise<void> {
    for (const ref of this.resources) await this.watchResource(ref);
    const worker = () => processQueue(this.queue, (key) => this.sync(key), (key, err) => this.log.debug({ key, err: err.message }, "garbage collection failed; retrying"));
    await Promise.all(Array.from({ length: workers }, worker));
  }

  /**
   * Watches one resource from its current state (every object arrives as ADDED, so a re-watch after a
   * dropped stream re-checks every dependent, level-triggered) and re-watches when the stream ends.
   */
  private async watchResource(ref: ResourceRef): Promise<void> {
    const rewatch = (): void => {
      if (this.stopped) return;
      this.log.debug({ resource: ref.plural }, "garbage collector watch ended; watching again");
      const t = setTimeout(() => void this.watchResource(ref).catch((err: unknown) => this.log.warn({ resource: ref.plural, err }, "garbage collector watch failed")), REWATCH_DELAY_MS);
      t.unref();
    };
    const w = await this.client.watch(ref, undefined, { resourceVersion: "0" }, (ev) => this.observe(ref, ev.type, ev.object), rewatch);
    this.watches.push(w);
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watches) w.close();
    this.queue.shutDown();
  }

  private observe(ref: ResourceRef, type: string, obj: KubeObject): void {
    const uid = obj.metadata?.uid;
    if (!uid || (type !== "ADDED" && type !== "MODIFIED" && type !== "DELETED")) return;
    const old = this.nodes.get(uid);
    for (const o of old?.owners ?? []) this.dependents.get(o.uid)?.delete(uid);
    if (type === "DELETED") {
      this.nodes.delete(uid);
      for (const dep of this.dependents.get(uid) ?? []) this.queue.add(`dependent/${dep}`);
      return;
    }
    const node: GraphNode = {
      ref,
      namespace: obj.metadata.namespace ?? "",
      name: obj.metadata.name ?? "",
      owners: obj.metadata.ownerReferences ?? [],
      deleting: Boolean(obj.metadata.deletionTimestamp),
      finalizers: obj.metadata.finalizers ?? [],
    };
    this.nodes.set(uid, node);
    for (const o of node.owners) {
      let set = this.dependents.get(o.uid);
      if (!set) this.dependents.set(o.uid, (set = new Set()));
      set.add(uid);
    }
    if (node.owners.length > 0) this.queue.add(`dependent/${uid}`);
    if (node.deleting && node.finalizers.includes(FINALIZER_ORPHAN)) this.queue.add(`orphan/${uid}`);
    if (node.deleting && node.finalizers.includes(FINALIZER_FOREGROUND)) this.queue.add(`foreground/${uid}`);
  }

  /** One work item: `dependent/<uid>`, `orphan/<uid>` or `foreground/<uid>`. */
  private async sync(key: string): Promise<number | undefined> {
    const [kind, uid] = key.split("/") as [string, string];
    const again = kind === "dependent" ? await this.syncDependent(uid) : kind === "orphan" ? await this.syncOrphan(uid) : await this.syncForeground(uid);
    return again ? FOREGROUND_RECHECK_MS : undefined;
  }

  /** Whether the owner exists: asked live, so a stale graph never causes a wrong deletion. */
  private async ownerExists(dep: GraphNode, owner: OwnerReference): Promise<boolean> {
    const ref = this.resolveKind(owner.apiVersion, owner.kind);
    if (!ref) return true; // unknown kinds: never collect on their behalf
    const cached = this.nodes.get(owner.uid);
    const namespace = cached?.namespace ?? dep.namespace;
    for (const ns of cached ? [namespace] : [dep.namespace, ""]) {
      try {
        const live = await this.client.get(ref, ns, owner.name);
        if (live.metadata.uid === owner.uid) return true;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return false;
  }

  private async syncDependent(uid: string): Promise<boolean> {
    const node = this.nodes.get(uid);
    if (!node || node.owners.length === 0 || node.deleting) return false;
    const dangling: OwnerReference[] = [];
    for (const owner of node.owners) {
      if (!(await this.ownerExists(node, owner))) dangling.push(owner);
    }
    if (dangling.length === 0) return false;
    if (dangling.length === node.owners.length) {
      try {
        await this.client.delete(node.ref, node.namespace, node.name, { propagationPolicy: "Background", preconditions: { uid } });
        this.log.info({ resource: node.ref.plural, namespace: node.namespace, name: node.name }, "deleted object whose owners are gone");
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      return false;
    }
    await this.rewrite(node, (obj) => {
      obj.metadata.ownerReferences = (obj.metadata.ownerReferences ?? []).filter((o) => !dangling.some((d) => d.uid === o.uid));
    });
    return false;
  }

  private async syncOrphan(uid: string): Promise<boolean> {
    const owner = this.nodes.get(uid);
    if (!owner || !owner.finalizers.includes(FINALIZER_ORPHAN)) return false;
    for (const depUid of [...(this.dependents.get(uid) ?? [])]) {
      const dep = this.nodes.get(depUid);
      if (!dep) continue;
      await this.rewrite(dep, (obj) => {
        obj.metadata.ownerReferences = (obj.metadata.ownerReferences ?? []).filter((o) => o.uid !== uid);
        if (obj.metadata.ownerReferences.length === 0) delete obj.metadata.ownerReferences;
      });
    }
    await this.removeFinalizer(owner, FINALIZER_ORPHAN);
    return false;
  }

  private async syncForeground(uid: string): Promise<boolean> {
    const owner = this.nodes.get(uid);
    if (!owner || !owner.finalizers.includes(FINALIZER_FOREGROUND)) return false;
    const remaining = [...(this.dependents.get(uid) ?? [])].map((d) => [d, this.nodes.get(d)] as const).filter(([, n]) => n);
    if (remaining.length > 0) {
      for (const [depUid, dep] of remaining) {
        if (dep!.deleting) continue;
        try {
          await this.client.delete(dep!.ref, dep!.namespace, dep!.name, { propagationPolicy: "Foreground", preconditions: { uid: depUid } });
        } catch (err) {
          if (!isNotFound(err) && !isConflict(err)) throw err;
        }
      }
      return true;
    }
    await this.removeFinalizer(owner, FINALIZER_FOREGROUND);
    return false;
  }

  private async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    await this.rewrite(node, (obj) => {
      obj.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    });
  }

  /** Read-modify-write through the API (a conflict requeues the work item). */
  private async rewrite(node: GraphNode, change: (obj: KubeObject) => void): Promise<void> {
    let obj: KubeObject;
    try {
      obj = await this.client.get(node.ref, node.namespace, node.name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    change(obj);
    await this.client.update(node.ref, node.namespace, obj, "", "kube-lite-garbage-collector");
  }
}
