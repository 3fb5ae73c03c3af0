/**
 * The resource registry: one `ResourceType` per kind. Discovery, OpenAPI, routing, table printing,
 * defaulting, validation and field selectors all come from this one table (see ARCHITECTURE.md).
 * Each kind lives in its own file under `src/server/registry/` and exports a `ResourceType`.
 */
import type { KubeObject } from "../../shared/api/types.js";
import type { StatusCause } from "../../shared/api/status.js";
import type { NameValidator } from "../../shared/api/validation.js";

export type Verb = "create" | "delete" | "deletecollection" | "get" | "list" | "patch" | "update" | "watch";

export const ALL_VERBS: Verb[] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/** A `metav1.TableColumnDefinition`. priority 0 = always shown, 1 = only with `-o wide`. */
export interface TableColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format?: string;
  description: string;
  priority: 0 | 1;
}

/** Cell values are JSON scalars as upstream puts them in `Table.rows[].cells`. */
export type TableCell = string | number | boolean | null;

export interface TableSpec {
  columns: TableColumn[];
  /** One row per object, one cell per column, in column order. `now` is for ages. */
  cells(obj: KubeObject, now: number): TableCell[];
}

/** Extra context a registry hook may need; the API layer fills it. */
export interface HookContext {
  /** The verb that led here. */
  operation: "create" | "update";
  /** Subresource being written ("status", "scale") or "" for the main resource. */
  subresource: string;
  /** True when the request is `dryRun=All`. */
  dryRun: boolean;
}

export interface SubresourceSpec {
  /** "status", "scale", "binding", "log", "exec", "attach", "portforward", "eviction", "proxy", "token", "ephemeralcontainers". */
  name: string;
  /** Response/request kind when it differs from the parent (e.g. scale → autoscaling/v1 Scale). */
  group?: string;
  version?: string;
  kind?: string;
  verbs: Verb[];
}

export interface ResourceType {
  group: string; // "" for core
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  verbs: Verb[];
  subresources: SubresourceSpec[];
  /** Has a status subresource: writes to the main resource keep the stored status; /status writes change only status. */
  hasStatus: boolean;
  /**
   * Fields whose change bumps metadata.generation. Default (undefined): everything except
   * metadata and status (upstream: "spec changes"). Kinds without spec (ConfigMap) set `false`: never bump.
   */
  generationTracksSpec?: boolean;
  /** `kubectl get` columns (upstream printers). Undefined → Name, Age. */
  table?: TableSpec;
  /** Fill upstream defaults in place (called on create and on update of the main resource). */
  defaults?(obj: KubeObject): void;
  /**
   * Kind-specific validation beyond metadata (names, labels and annotations are checked by the API
   * layer). `old` is set on update. Return upstream-style causes (field paths like `spec.containers[0].image`).
   */
  validate?(obj: KubeObject, old: KubeObject | undefined, ctx: HookContext): StatusCause[];
  /** Field-selector fields beyond metadata.name/metadata.namespace: path → value getter. */
  fieldSelectors?: Record<string, (obj: KubeObject) => string | undefined>;
  /** Reset fields the user may not set on create (e.g. status of a new Pod → phase Pending). */
  prepareForCreate?(obj: KubeObject): void;
  /** Adjust an update of the main resource (e.g. immutable fields are checked in validate). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Adjust an object that gets a deletionTimestamp (graceful deletion or finalizers). */
  prepareForDelete?(obj: KubeObject): void;
  /**
   * Kinds with graceful deletion (pods): the grace period in seconds for this delete, given the
   * requested one; 0 deletes at once. Undefined: the kind has no graceful deletion.
   */
  gracefulDeletion?(obj: KubeObject, requestedSeconds: number | undefined): number;
  /**
   * Kind-specific finalization that holds a deleted object (namespaces: `spec.finalizers`). While it
   * returns true, a delete only marks the object (deletionTimestamp) instead of removing it.
   */
  blocksDeletion?(obj: KubeObject): boolean;
  /**
   * Heartbeat kinds (node Leases): true when an update only renews (e.g. changes only spec.renewTime);
   * such updates are held in memory and persisted at a low rate (see renewal-buffer.ts).
   */
  isHeartbeatRenewal?(next: KubeObject, live: KubeObject): boolean;
  /** Keep the status a client sends on create (nodes: the kubelet registers with its status). */
  keepStatusOnCreate?: boolean;
  /** DELETE answers with the deleted object instead of a Status (upstream: pods and a few others). */
  returnDeletedObject?: boolean;
  /** The kind's object-name rule when it is not a DNS-1123 subdomain (RBAC: path segments; namespaces: labels). */
  nameValidator?: NameValidator;
  /** Set when this version serves objects stored by another version of the same resource (HPA v1 ↔ v2). */
  sharedStorage?: SharedStorage;
}

/**
 * Another API version whose storage this entry shares; objects are stored in that version and
 * converted on the way in and out (upstream: one internal type, many served versions).
 */
export interface SharedStorage {
  group: string;
  version: string;
  plural: string;
  /** This entry's version → the storage version (a new object). */
  toStorage(obj: KubeObject): KubeObject;
  /** The storage version → this entry's version (a new object). */
  fromStorage(obj: KubeObject): KubeObject;
}

/** Convenience constructor: fills the usual defaults so kind files stay short. */
export function resourceType(spec: Partial<ResourceType> & Pick<ResourceType, "group" | "version" | "kind" | "plural" | "namespaced">): ResourceType {
  return {
    listKind: `${spec.kind}List`,
    singular: spec.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    subresources: [],
    hasStatus: false,
    ...spec,
  };
}
