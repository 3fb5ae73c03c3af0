/**
 * Server-side printing: `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` turns lists, single
 * objects and watch events into `meta.k8s.io/v1 Table`s with the kind's columns (upstream printers).
 */
import type { KubeObject } from "../../shared/api/types.js";
import type { ResourceType, TableColumn, TableSpec } from "../registry/types.js";
import { NAME_COLUMN } from "../registry/printing.js";

export type IncludeObject = "None" | "Metadata" | "Object";

/** The apiserver's default columns for kinds without a printer: Name and Created At. */
const DEFAULT_TABLE: TableSpec = {
  columns: [
    NAME_COLUMN,
    { name: "Created At", type: "date", description: "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", priority: 0 },
  ],
  cells: (obj) => [obj.metadata.name ?? "", obj.metadata.creationTimestamp ?? null],
};

function columnDefinitions(columns: TableColumn[]): Record<string, unknown>[] {
  return columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? "", description: c.description, priority: c.priority }));
}

export function partialObjectMetadata(obj: KubeObject, version: string): Record<string, unknown> {
  return { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

function row(spec: TableSpec, obj: KubeObject, include: IncludeObject, version: string, now: number): Record<string, unknown> {
  const r: Record<string, unknown> = { cells: spec.cells(obj, now) };
  if (include === "Object") r.object = obj;
  else if (include === "Metadata") r.object = partialObjectMetadata(obj, version);
  return r;
}

export interface TableOptions {
  include: IncludeObject;
  version: "v1" | "v1beta1";
  /** Omit columnDefinitions (watch events after the first, as upstream). */
  noHeaders?: boolean;
  listMeta?: Record<string, unknown>;
}

/** @example toTable(registry.pods, podList.items, { include: "Metadata", version: "v1", listMeta: podList.metadata }) */
export function toTable(rt: ResourceType, objects: KubeObject[], opts: TableOptions): Record<string, unknown> {
  const spec = rt.table ?? DEFAULT_TABLE;
  const now = Date.now();
  return {
    kind: "Table",
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: opts.listMeta ?? {},
    columnDefinitions: opts.noHeaders ? null : columnDefinitions(spec.columns),
    rows: objects.map((o) => row(spec, o, opts.include, opts.version, now)),
  };
}

export function parseIncludeObject(value: string | null): IncludeObject {
  if (value === "None" || value === "Object" || value === "Metadata") return value;
  return "Metadata";
}
