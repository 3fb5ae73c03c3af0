/**
 * The generic registry store: upstream's object semantics for one resource over the revision log
 * (`genericregistry.Store` in k8s.io/apiserver). Names and UIDs, generateName, generation, resourceVersion
 * preconditions, status subresource rules, finalizers and deletionTimestamp, selectors, paging and watch
 * all live here once; per-kind behaviour comes from the `ResourceType` hooks.
 */
import { randomUUID, randomInt } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { KubeObject, KubeList } from "../../shared/api/types.js";
import { apiVersionOf, deepCopy } from "../../shared/api/types.js";
import { rfc3339 } from "../../shared/api/time.js";
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  gone,
  invalid,
  notFound,
  type StatusCause,
} from "../../shared/api/status.js";
import { checkFieldSelectorSupported, parseFieldSelector, parseLabelSelector } from "../../shared/api/selectors.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "../../shared/api/validation.js";
import {
  CompactedError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  type KeyValue,
  type Store,
  type StoreEvent,
  type Watcher,
} from "../storage/types.js";
import { collectionPrefix, objectKey } from "./keys.js";
import type { HookContext, ResourceType } from "./types.js";
import { RenewalBuffer, RENEWAL_PERSIST_INTERVAL_MS } from "./renewal-buffer.js";

/** Characters upstream uses for generateName suffixes (no vowels, no look-alikes). */
const GENERATE_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const GENERATE_NAME_SUFFIX_LENGTH = 5;
/** Unconditional updates and patches retry this often on a concurrent write before giving up with 409. */
const MAX_CONFLICT_RETRIES = 5;
/** Upper bound of one storage page read while filtering with selectors. */
const LIST_SCAN_PAGE = 500;

export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** Who is asking and how: filled by the HTTP layer (or the in-process client). */
export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface WatchQuery {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  /** Send ADDED events for the current state first even when a resourceVersion is given (WatchList). */
  sendInitialEvents?: boolean;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject | Record<string, unknown>;
}

export interface WatchHandle {
  close(): void;
}

/** Hooks the server wires in for cross-resource rules (namespace lifecycle, IP allocation, …). */
export interface Admission {
  /** Called before a create is stored (after defaulting, before validation). May mutate or throw ApiError. */
  admitCreate?(rt: ResourceType, obj: KubeObject, opts: WriteOptions): Promise<void>;
  /** Called before an update is stored. */
  admitUpdate?(rt: ResourceType, obj: KubeObject, old: KubeObject, opts: WriteOptions): Promise<void>;
  /** Called before a delete request is carried out (protected namespaces, …). May throw ApiError. */
  admitDelete?(rt: ResourceType, obj: KubeObject): Promise<void>;
  /** Called after an object is gone from storage (release allocated IPs, …). */
  afterDelete?(rt: ResourceType, obj: KubeObject): Promise<void>;
}

/** Records managedFields for non-apply writes (implemented by the patch module). */
export type ManagedFieldsRecorder = (args: { old: KubeObject | undefined; updated: KubeObject; manager: string; apiVersion: string; subresource: string; kind: string; hasStatus: boolean }) => void;

export interface UpdateResult {
  object: KubeObject;
  created: boolean;
}

export function nowTimestamp(): string {
  return rfc3339();
}

function generateNameSuffix(): string {
  let s = "";
  for (let i = 0; i < GENERATE_NAME_SUFFIX_LENGTH; i++) s += GENERATE_NAME_ALPHABET[randomInt(GENERATE_NAME_ALPHABET.length)];
  return s;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, lastKey: string): string {
  const token: ContinueToken = { v: "meta.k8s.io/v1", rv, start: lastKey };
  return Buffer.from(JSON.stringify(token)).toString("base64url");
}

function decodeContinue(text: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as ContinueToken;
    if (t.v !== "meta.k8s.io/v1" || typeof t.rv !== "number" || typeof t.start !== "string") throw new Error("bad token");
    return t;
  } catch {
    throw badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  }
}

/** Fields other than metadata and status: what "the spec" means for generation tracking. */
function specOf(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** Metadata equality for no-op detection: ignores fields the server owns. */
function comparableMeta(obj: KubeObject): unknown {
  const { resourceVersion: _rv, managedFields: _mf, ...rest } = obj.metadata;
  return rest;
}

export class GenericStore {
  readonly apiVersion: string;
  private readonly selectableFields: string[];

  /** Heartbeat renewals held in memory (kinds with `isHeartbeatRenewal` only). */
  private readonly renewals?: RenewalBuffer;

  constructor(
    readonly rt: ResourceType,
    private readonly store: Store,
    private readonly admission: Admission = {},
    private readonly recordManagedFields?: ManagedFieldsRecorder,
  ) {
    if (rt.isHeartbeatRenewal) this.renewals = new RenewalBuffer();
    this.apiVersion = apiVersionOf(rt.group, rt.version);
    this.selectableFields = ["metadata.name", "metadata.namespace", ...Object.keys(rt.fieldSelectors ?? {})];
  }

  // ---- encoding -------------------------------------------------------------------------------

  /** Stored value → API object with its resourceVersion. */
  decode(kv: KeyValue): KubeObject {
    let obj = JSON.parse(kv.value) as KubeObject;
    if (this.rt.sharedStorage) obj = this.rt.sharedStorage.fromStorage(obj);
    if (this.renewals) obj = this.renewals.overlay(kv.key, obj);
    obj.metadata.resourceVersion = String(kv.modRevision);
    return obj;
  }

  private encode(input: KubeObject): string {
    const obj = this.rt.sharedStorage ? this.rt.sharedStorage.toStorage(input) : input;
    const { resourceVersion: _rv, ...meta } = obj.metadata;
    return JSON.stringify({ ...obj, metadata: meta });
  }

  /** Where objects live: this resource's key space, or the storage version's when it shares one. */
  private get keySpace(): Pick<ResourceType, "group" | "plural" | "namespaced"> {
    const shared = this.rt.sharedStorage;
    return shared ? { group: shared.group, plural: shared.plural, namespaced: this.rt.namespaced } : this.rt;
  }

  private key(namespace: string, name: string): string {
    return objectKey(this.keySpace, namespace, name);
  }

  private notFound(name: string): ApiError {
    return notFound(this.rt.group, this.rt.plural, name);
  }

  private conflict(name: string): ApiError {
    return conflict(this.rt.group, this.rt.plural, name);
  }

  private invalid(name: string, causes: StatusCause[]): ApiError {
    return invalid(this.rt.group, this.rt.kind, name, causes);
  }

  // ---- reads ----------------------------------------------------------------------------------

  async get(namespace: string, name: string): Promise<KubeObject> {
    const kv = await this.store.get(this.key(namespace, name));
    if (!kv) throw this.notFound(name);
    return this.decode(kv);
  }

  async tryGet(namespace: string, name: string): Promise<KubeObject | undefined> {
    const kv = await this.store.get(this.key(namespace, name));
    return kv ? this.decode(kv) : undefined;
  }

  /** Matcher for label and field selectors; throws 400 for bad syntax or unsupported fields. */
  matcher(labelSelector?: string, fieldSelector?: string): (obj: KubeObject) => boolean {
    const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
    const fields = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
    if (fields) checkFieldSelectorSupported(fields, this.selectableFields);
    if (!labels && !fields) return () => true;
    const getters = this.rt.fieldSelectors ?? {};
    return (obj) => {
      if (labels && !labels.matches(obj.metadata.labels ?? {})) return false;
      if (fields) {
        return fields.matches((path) => {
          if (path === "metadata.name") return obj.metadata.name ?? "";
          if (path === "metadata.namespace") return obj.metadata.namespace ?? "";
          return getters[path]?.(obj) ?? "";
        });
      }
      return true;
    };
  }

  private listRevision(q: ListQuery): number | undefined {
    const rv = q.resourceVersion;
    if (!rv || rv === "0") return undefined;
    const n = Number(rv);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid resource version: ${rv}`);
    const current = this.store.currentRevision();
    if (q.resourceVersionMatch === "Exact") {
      if (n > current) throw new ApiError(504, "Timeout", `Too large resource version: ${n}, current: ${current}`, { causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }], retryAfterSeconds: 1 });
      return n;
    }
    if (n > current) throw new ApiError(504, "Timeout", `Too large resource version: ${n}, current: ${current}`, { causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }], retryAfterSeconds: 1 });
    return undefined; // NotOlderThan (or legacy semantics): the newest state satisfies it
  }

  /** A list in upstream's shape: `{kind: XList, apiVersion, metadata: {resourceVersion, continue?, remainingItemCount?}, items}`. */
  async list(namespace: string | undefined, q: ListQuery = {}): Promise<KubeList> {
    if (q.resourceVersionMatch && !q.resourceVersion) throw badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
    const match = this.matcher(q.labelSelector, q.fieldSelector);
    const prefix = collectionPrefix(this.keySpace, namespace);
    const limit = q.limit && q.limit > 0 ? q.limit : 0;
    let revision = this.listRevision(q);
    let after: string | undefined;
    if (q.continue) {
      const token = decodeContinue(q.continue);
      revision = token.rv;
      after = token.start;
    }
    const filtering = Boolean(q.labelSelector || q.fieldSelector);
    const items: KubeObject[] = [];
    let readRevision = 0;
    let lastKey: string | undefined;
    let remaining = 0;
    try {
      for (;;) {
        const want = limit ? (filtering ? Math.max(LIST_SCAN_PAGE, limit) : limit - items.length) : 0;
        const page = await this.store.list(prefix, { revision, limit: want, after });
        readRevision = page.revision;
        revision = page.revision;
        let full = false;
        for (let i = 0; i < page.items.length; i++) {
          const kv = page.items[i]!;
          const obj = this.decode(kv);
          lastKey = kv.key;
          if (!match(obj)) continue;
          items.push(obj);
          if (limit && items.length === limit) {
            const left = page.items.length - 1 - i + page.remaining;
            // With selectors the number of matching items left is unknown (upstream omits the count).
            remaining = left === 0 ? 0 : filtering ? -1 : left;
            full = true;
            break;
          }
        }
        if (full || !limit || page.remaining === 0 || page.items.length === 0) break;
        after = page.items[page.items.length - 1]!.key;
      }
    } catch (err) {
      if (err instanceof CompactedError) {
        if (q.continue) throw gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
        throw gone(`too old resource version: ${err.requested} (${err.compactRevision})`);
      }
      if (err instanceof FutureRevisionError) throw new ApiError(504, "Timeout", err.message);
      throw err;
    }
    const metadata: KubeList["metadata"] = { resourceVersion: String(readRevision) };
    if (remaining !== 0 && lastKey) {
      metadata.continue = encodeContinue(readRevision, lastKey);
      if (remaining > 0) metadata.remainingItemCount = remaining;
    }
    return { kind: this.rt.listKind, apiVersion: this.apiVersion, metadata, items };
  }

  // ---- create ---------------------------------------------------------------------------------

  /** Checks apiVersion/kind of a request body against this endpoint (400 as upstream). */
  checkTypeMeta(obj: KubeObject): void {
    if (obj.apiVersion && obj.apiVersion !== this.apiVersion) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${this.apiVersion})`);
    }
    if (obj.kind && obj.kind !== this.rt.kind) {
      throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${this.rt.kind})`);
    }
  }

  private prepareNamespace(obj: KubeObject, namespace: string): void {
    if (!this.rt.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    obj.metadata.namespace = namespace;
  }

  private validateNew(obj: KubeObject, ctx: HookContext): void {
    const causes = [
      ...validateObjectMeta(obj.metadata, { namespaced: this.rt.namespaced, nameValidator: this.rt.nameValidator }),
      ...(this.rt.validate?.(obj, undefined, ctx) ?? []),
    ];
    if (causes.length) throw this.invalid(obj.metadata.name ?? obj.metadata.generateName ?? "", causes);
  }

  async create(namespace: string, input: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    if (!input || typeof input !== "object" || typeof input.metadata !== "object" || input.metadata === null) {
      if (input && typeof input === "object" && input.metadata === undefined) input.metadata = {};
      else throw badRequest("Object 'metadata' is missing or invalid");
    }
    this.checkTypeMeta(input);
    const obj = deepCopy(input);
    obj.apiVersion = this.apiVersion;
    obj.kind = this.rt.kind;
    this.prepareNamespace(obj, namespace);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + generateNameSuffix();
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTimestamp();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete (meta as Record<string, unknown>).selfLink;
    if (this.rt.generationTracksSpec !== false) meta.generation = 1;
    else delete meta.generation;
    if (this.rt.hasStatus && !this.rt.keepStatusOnCreate) delete obj.status;
    this.rt.prepareForCreate?.(obj);
    this.rt.defaults?.(obj);
    const ctx: HookContext = { operation: "create", subresource: "", dryRun: Boolean(opts.dryRun) };
    await this.admission.admitCreate?.(this.rt, obj, opts);
    this.validateNew(obj, ctx);
    // Without a field manager the caller (server-side apply) computed managedFields itself.
    if (opts.fieldManager) delete meta.managedFields;
    if (opts.fieldManager) this.recordManagedFields?.({ old: undefined, updated: obj, manager: opts.fieldManager, apiVersion: this.apiVersion, subresource: "", kind: this.rt.kind, hasStatus: this.rt.hasStatus });
    if (opts.dryRun) {
      if (await this.store.get(this.key(namespace, meta.name!))) throw alreadyExists(this.rt.group, this.rt.plural, meta.name!);
      return obj;
    }
    try {
      const kv = await this.store.create(this.key(namespace, meta.name!), this.encode(obj));
      obj.metadata.resourceVersion = String(kv.modRevision);
      return obj;
    } catch (err) {
      if (err instanceof KeyExistsError) throw alreadyExists(this.rt.group, this.rt.plural, meta.name!);
      throw err;
    }
  }

  // ---- update ---------------------------------------------------------------------------------

  /**
   * Applies `mutate` to the live object and stores the result with compare-and-swap, retrying on a
   * concurrent write unless the caller pinned a resourceVersion. `mutate` returns the desired object.
   */
  async guaranteedUpdate(
    namespace: string,
    name: string,
    subresource: string,
    opts: WriteOptions,
    mutate: (live: KubeObject) => KubeObject | Promise<KubeObject>,
    createIfMissing?: () => Promise<KubeObject>,
  ): Promise<UpdateResult> {
    for (let attempt = 0; ; attempt++) {
      const key = this.key(namespace, name);
      const kv = await this.store.get(key);
      if (!kv) {
        if (createIfMissing) return { object: await createIfMissing(), created: true };
        throw this.notFound(name);
      }
      const live = this.decode(kv);
      const desired = await mutate(deepCopy(live));
      const pinned = desired.metadata?.resourceVersion;
      if (pinned && pinned !== live.metadata.resourceVersion) throw this.conflict(name);
      const next = await this.prepareUpdate(namespace, name, subresource, desired, live, opts);
      if (next === live) return { object: live, created: false };
      if (opts.dryRun) return { object: next, created: false };
      if (this.renewals && this.rt.isHeartbeatRenewal?.(next, live)) {
        this.renewals.hold(key, (next.spec as { renewTime: string }).renewTime);
        return { object: next, created: false };
      }
      // A real write supersedes a held renewal (dropped first, so its event never shows the old one).
      this.renewals?.drop(key);
      try {
        if (this.shouldDeleteDuringUpdate(next, live)) {
          const deletedKv = await this.store.delete(key, kv.modRevision);
          const gone = this.decode({ ...deletedKv, value: this.encode(next) });
          await this.admission.afterDelete?.(this.rt, gone);
          return { object: gone, created: false };
        }
        const written = await this.store.update(key, this.encode(next), kv.modRevision);
        next.metadata.resourceVersion = String(written.modRevision);
        return { object: next, created: false };
      } catch (err) {
        if (err instanceof RevisionConflictError || err instanceof KeyNotFoundError) {
          if (pinned || attempt >= MAX_CONFLICT_RETRIES) throw this.conflict(name);
          continue;
        }
        throw err;
      }
    }
  }

  /** Builds the object to store from the desired one and the live one; returns `live` itself for a no-op. */
  private async prepareUpdate(namespace: string, name: string, subresource: string, desiredIn: KubeObject, live: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    if (!desiredIn || typeof desiredIn !== "object" || typeof desiredIn.metadata !== "object" || desiredIn.metadata === null) {
      throw badRequest("Object 'metadata' is missing or invalid");
    }
    this.checkTypeMeta(desiredIn);
    let next: KubeObject;
    if (subresource === "status") {
      // Status writes change only .status (upstream's ResetObjectMetaForStatus + spec reset).
      next = deepCopy(live);
      if (desiredIn.status === undefined) delete next.status;
      else next.status = desiredIn.status;
    } else if (subresource === "finalize") {
      // Namespaces' finalize subresource changes only spec.finalizers.
      next = deepCopy(live);
      const finalizers = ((desiredIn.spec ?? {}) as { finalizers?: string[] }).finalizers;
      next.spec = { ...((live.spec ?? {}) as object), finalizers: finalizers ?? [] };
    } else {
      next = deepCopy(desiredIn);
      next.apiVersion = this.apiVersion;
      next.kind = this.rt.kind;
      if (next.metadata.name && next.metadata.name !== name) {
        throw badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
      }
      next.metadata.name = name;
      this.prepareNamespace(next, namespace);
      // A binding sets spec.nodeName and the PodScheduled condition in one write, as upstream's BindingREST.
      if (this.rt.hasStatus && subresource !== "binding") {
        if (live.status === undefined) delete next.status;
        else next.status = live.status;
      }
      // Fields only the server sets.
      const m = next.metadata;
      m.uid = live.metadata.uid;
      m.creationTimestamp = live.metadata.creationTimestamp;
      if (live.metadata.deletionTimestamp) {
        m.deletionTimestamp = live.metadata.deletionTimestamp;
        m.deletionGracePeriodSeconds = live.metadata.deletionGracePeriodSeconds;
      } else {
        delete m.deletionTimestamp;
        delete m.deletionGracePeriodSeconds;
      }
      delete (m as Record<string, unknown>).selfLink;
      this.rt.prepareForUpdate?.(next, live);
      this.rt.defaults?.(next);
      if (this.rt.generationTracksSpec !== false) {
        const gen = live.metadata.generation ?? 1;
        m.generation = isDeepStrictEqual(specOf(next), specOf(live)) ? gen : gen + 1;
      } else {
        delete m.generation;
      }
    }
    next.metadata.resourceVersion = live.metadata.resourceVersion;
    // Without a field manager the caller (server-side apply) computed managedFields itself.
    if (opts.fieldManager || subresource === "status" || next.metadata.managedFields === undefined) next.metadata.managedFields = live.metadata.managedFields;
    if (isDeepStrictEqual(comparableMeta(next), comparableMeta(live)) && isDeepStrictEqual({ ...next, metadata: null }, { ...live, metadata: null })) {
      return live;
    }
    const ctx: HookContext = { operation: "update", subresource, dryRun: Boolean(opts.dryRun) };
    if (subresource !== "status") await this.admission.admitUpdate?.(this.rt, next, live, opts);
    const causes = [
      ...validateObjectMetaUpdate(next.metadata, live.metadata),
      ...(this.rt.validate?.(next, live, ctx) ?? []),
    ];
    if (causes.length) throw this.invalid(name, causes);
    if (opts.fieldManager) this.recordManagedFields?.({ old: live, updated: next, manager: opts.fieldManager, apiVersion: this.apiVersion, subresource, kind: this.rt.kind, hasStatus: this.rt.hasStatus });
    return next;
  }

  /** PUT: replace the object (or its status) with `obj`. */
  async update(namespace: string, name: string, obj: KubeObject, subresource: string, opts: WriteOptions = {}): Promise<UpdateResult> {
    return this.guaranteedUpdate(namespace, name, subresource, opts, () => obj);
  }

  // ---- delete ---------------------------------------------------------------------------------

  /**
   * DELETE: objects without finalizers (and pods that are not bound or get grace 0) go at once; others
   * get deletionTimestamp and stay until their finalizers are removed (or the kubelet confirms).
   * Returns the final object and whether it is gone from storage.
   */
  async delete(namespace: string, name: string, opts: DeleteOptions = {}): Promise<{ object: KubeObject; deleted: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const key = this.key(namespace, name);
      const kv = await this.store.get(key);
      if (!kv) throw this.notFound(name);
      const live = this.decode(kv);
      await this.admission.admitDelete?.(this.rt, live);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== live.metadata.uid) {
        throw conflict(this.rt.group, this.rt.plural, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${live.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== live.metadata.resourceVersion) {
        throw conflict(this.rt.group, this.rt.plural, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${live.metadata.resourceVersion}`);
      }
      const next = deepCopy(live);
      const finalizers = new Set(next.metadata.finalizers ?? []);
      const policy = opts.propagationPolicy;
      if (policy === "Foreground") {
        finalizers.add("foregroundDeletion");
        finalizers.delete("orphan");
      } else if (policy === "Orphan") {
        finalizers.add("orphan");
        finalizers.delete("foregroundDeletion");
      }
      const grace = this.gracePeriod(live, opts);
      const graceful = grace > 0;
      // Objects already being deleted: only a shorter grace period changes anything.
      const blocked = this.rt.blocksDeletion?.(live) ?? false;
      if (live.metadata.deletionTimestamp) {
        const current = live.metadata.deletionGracePeriodSeconds ?? 0;
        if (!graceful && finalizers.size === 0 && !blocked) {
          // fall through to immediate deletion (force)
        } else if (graceful && grace < current) {
          next.metadata.deletionGracePeriodSeconds = grace;
          next.metadata.deletionTimestamp = rfc3339(Date.now() + grace * 1000);
        } else {
          return { object: live, deleted: false };
        }
      }
      if (finalizers.size > 0 || graceful || blocked) {
        if (!next.metadata.deletionTimestamp || graceful) {
          next.metadata.deletionTimestamp ??= rfc3339(Date.now() + grace * 1000);
          next.metadata.deletionGracePeriodSeconds ??= grace;
        }
        next.metadata.finalizers = [...finalizers];
        if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
        if (this.rt.generationTracksSpec !== false && !live.metadata.deletionTimestamp) next.metadata.generation = (live.metadata.generation ?? 1) + 1;
        this.rt.prepareForDelete?.(next);
        if (opts.dryRun) return { object: next, deleted: false };
        try {
          const written = await this.store.update(key, this.encode(next), kv.modRevision);
          next.metadata.resourceVersion = String(written.modRevision);
          return { object: next, deleted: false };
        } catch (err) {
          if ((err instanceof RevisionConflictError || err instanceof KeyNotFoundError) && attempt < MAX_CONFLICT_RETRIES) continue;
          if (err instanceof KeyNotFoundError) throw this.notFound(name);
          throw err;
        }
      }
      if (opts.dryRun) return { object: live, deleted: true };
      this.renewals?.drop(key);
      try {
        const deletedKv = await this.store.delete(key, kv.modRevision);
        const gone = this.decode(deletedKv);
        await this.admission.afterDelete?.(this.rt, gone);
        return { object: gone, deleted: true };
      } catch (err) {
        if (err instanceof RevisionConflictError && attempt < MAX_CONFLICT_RETRIES) continue;
        if (err instanceof KeyNotFoundError) throw this.notFound(name);
        throw err;
      }
    }
  }

  /**
   * An update that leaves a deleted object with nothing holding it removes it (upstream's
   * shouldDeleteDuringUpdate): no finalizers left, and no grace period still running.
   */
  private shouldDeleteDuringUpdate(next: KubeObject, live: KubeObject): boolean {
    if ((next.metadata.finalizers ?? []).length > 0) return false;
    if (!live.metadata.deletionTimestamp) return false;
    if (this.rt.blocksDeletion?.(next)) return false;
    return !live.metadata.deletionGracePeriodSeconds;
  }

  /** Grace period in seconds: only kinds with a graceful-deletion hook (pods) have one. */
  private gracePeriod(live: KubeObject, opts: DeleteOptions): number {
    if (!this.rt.gracefulDeletion) return 0;
    return this.rt.gracefulDeletion(live, opts.gracePeriodSeconds);
  }

  /**
   * Writes held heartbeat renewals to storage: those held for the persist interval, or all of them
   * (`all`, at shutdown). A renewal whose object changed meanwhile is dropped (the newer write wins).
   */
  async flushRenewals(all = false): Promise<number> {
    if (!this.renewals) return 0;
    let written = 0;
    for (const key of this.renewals.due(RENEWAL_PERSIST_INTERVAL_MS, all)) {
      const kv = await this.store.get(key);
      const obj = kv ? this.decode(kv) : undefined;
      this.renewals.drop(key);
      if (!kv || !obj) continue;
      try {
        await this.store.update(key, this.encode(obj), kv.modRevision);
        written++;
      } catch (err) {
        if (!(err instanceof RevisionConflictError || err instanceof KeyNotFoundError)) throw err;
      }
    }
    return written;
  }

  // ---- watch ----------------------------------------------------------------------------------

  /**
   * Streams watch events to `send` until `handle.close()`. `resourceVersion` unset or "0": synthetic
   * ADDED events for the current state first. A compacted start revision yields one ERROR event (410).
   */
  async watch(namespace: string | undefined, q: WatchQuery, send: (ev: WatchEvent) => void, onEnd: (err?: Error) => void): Promise<WatchHandle> {
    const match = this.matcher(q.labelSelector, q.fieldSelector);
    const prefix = collectionPrefix(this.keySpace, namespace);
    let from: number;
    const rv = q.resourceVersion;
    if (!rv || rv === "0" || q.sendInitialEvents) {
      const list = await this.list(namespace, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector });
      for (const item of list.items) send({ type: "ADDED", object: item });
      from = Number(list.metadata.resourceVersion);
      if (q.sendInitialEvents) {
        send({
          type: "BOOKMARK",
          object: { kind: this.rt.kind, apiVersion: this.apiVersion, metadata: { resourceVersion: String(from), annotations: { "k8s.io/initial-events-end": "true" } } },
        });
      }
    } else {
      from = Number(rv);
      if (!Number.isInteger(from) || from < 0) throw badRequest(`invalid resource version: ${rv}`);
    }
    let closed = false;
    let watcher: Watcher | undefined;
    const onEvents = (events: StoreEvent[]): void => {
      if (closed) return;
      for (const ev of events) {
        const out = this.translate(ev, match);
        if (out) send(out);
      }
    };
    try {
      watcher = await this.store.watch(prefix, {
        fromRevision: from,
        onEvents,
        onError: (err) => {
          if (closed) return;
          closed = true;
          send({ type: "ERROR", object: gone(`watch ended: ${err.message}`).toStatus() as unknown as Record<string, unknown> });
          onEnd(err);
        },
      });
    } catch (err) {
      if (err instanceof CompactedError) {
        send({ type: "ERROR", object: gone(`too old resource version: ${err.requested} (${err.compactRevision})`).toStatus() as unknown as Record<string, unknown> });
        closed = true;
        onEnd();
        return { close() {} };
      }
      throw err;
    }
    return {
      close() {
        if (closed) return;
        closed = true;
        watcher?.close();
      },
    };
  }

  /** Store event → watch event for a watcher with a selector (objects leaving the selector become DELETED). */
  private translate(ev: StoreEvent, match: (o: KubeObject) => boolean): WatchEvent | undefined {
    if (ev.type === "delete") {
      const obj = this.decode(ev.prevKv ? { ...ev.prevKv, modRevision: ev.kv.modRevision } : ev.kv);
      return match(obj) ? { type: "DELETED", object: obj } : undefined;
    }
    const obj = this.decode(ev.kv);
    const now = match(obj);
    if (ev.type === "create") return now ? { type: "ADDED", object: obj } : undefined;
    const before = ev.prevKv ? match(this.decode(ev.prevKv)) : false;
    if (now && before) return { type: "MODIFIED", object: obj };
    if (now) return { type: "ADDED", object: obj };
    if (before) return { type: "DELETED", object: obj };
    return undefined;
  }
}
