/**
 * Events (core/v1): what happened to an object, for `kubectl describe` and `kubectl get events`.
 * Validation of the involved object's namespace and the field selectors `describe` uses
 * (`involvedObject.uid`, `.name`, `.namespace`, …) after upstream `pkg/registry/core/event/strategy.go`.
 */
import type { Event } from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { NAME_COLUMN, humanDuration } from "../printing.js";
import { resourceType, type ResourceType, type TableSpec } from "../types.js";
import { FIELD_DOCS } from "./column-docs.js";
import { column } from "./columns.js";

function ev(obj: KubeObject): Event {
  return obj as unknown as Event;
}

function since(ts: string | undefined, now: number): string | undefined {
  return ts ? humanDuration(now - Date.parse(ts)) : undefined;
}

/**
 * Source cell: component (or reporting controller), then ", host" when known (upstream `formatEventSource`).
 *
 * @example eventSource({ source: { component: "kubelet", host: "pi-1" } }) === "kubelet, pi-1"
 */
export function eventSource(e: Event): string {
  const component = e.source?.component || e.reportingComponent || "";
  const instance = e.source?.host || e.reportingInstance || "";
  return instance ? `${component}, ${instance}` : component;
}

function validateEvent(obj: KubeObject): StatusCause[] {
  const errs: StatusCause[] = [];
  const e = ev(obj);
  const ns = obj.metadata.namespace ?? "";
  const involvedNs = e.involvedObject?.namespace ?? "";
  // Events about cluster-scoped objects live in "default" (upstream legacyValidateEvent).
  if (!involvedNs) {
    if (ns && ns !== "default") errs.push(fieldError.invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
  } else if (ns !== involvedNs) {
    errs.push(fieldError.invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
  }
  return errs;
}

const eventTable: TableSpec = {
  columns: [
    column("Last Seen", FIELD_DOCS["Event.lastTimestamp"]),
    column("Type", FIELD_DOCS["Event.type"]),
    column("Reason", FIELD_DOCS["Event.reason"]),
    column("Object", FIELD_DOCS["Event.involvedObject"]),
    column("Subobject", FIELD_DOCS["ObjectReference.fieldPath"], 1),
    column("Source", FIELD_DOCS["Event.source"], 1),
    column("Message", FIELD_DOCS["Event.message"]),
    column("First Seen", FIELD_DOCS["Event.firstTimestamp"], 1),
    column("Count", FIELD_DOCS["Event.count"], 1),
    { ...NAME_COLUMN, priority: 1 },
  ],
  cells(obj, now) {
    const e = ev(obj);
    const first = since(e.firstTimestamp, now) ?? since(e.eventTime, now) ?? "<unknown>";
    let last = since(e.lastTimestamp, now) ?? first;
    let count = e.count ?? 0;
    if (e.series) {
      last = since(e.series.lastObservedTime, now) ?? "<unknown>";
      count = e.series.count ?? 0;
    } else if (count === 0) {
      count = 1; // singleton events carry no count in the new API
    }
    const kind = (e.involvedObject?.kind ?? "").toLowerCase();
    const target = e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
    return [last, e.type ?? "", e.reason ?? "", target, e.involvedObject?.fieldPath ?? "", eventSource(e), (e.message ?? "").trim(), first, count, obj.metadata.name ?? ""];
  },
};

export const events: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "Event",
  plural: "events",
  namespaced: true,
  shortNames: ["ev"],
  generationTracksSpec: false,
  table: eventTable,
  validate: (obj) => validateEvent(obj),
  fieldSelectors: {
    "involvedObject.kind": (o) => ev(o).involvedObject?.kind ?? "",
    "involvedObject.namespace": (o) => ev(o).involvedObject?.namespace ?? "",
    "involvedObject.name": (o) => ev(o).involvedObject?.name ?? "",
    "involvedObject.uid": (o) => ev(o).involvedObject?.uid ?? "",
    "involvedObject.apiVersion": (o) => ev(o).involvedObject?.apiVersion ?? "",
    "involvedObject.resourceVersion": (o) => ev(o).involvedObject?.resourceVersion ?? "",
    "involvedObject.fieldPath": (o) => ev(o).involvedObject?.fieldPath ?? "",
    reason: (o) => ev(o).reason ?? "",
    reportingComponent: (o) => ev(o).reportingComponent ?? "",
    source: (o) => ev(o).source?.component || ev(o).reportingComponent || "",
    type: (o) => ev(o).type ?? "",
  },
});
