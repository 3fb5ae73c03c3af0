/**
 * events.k8s.io/v1 Event. Upstream serves these from the same storage as core/v1 events (one
 * internal type), so this entry converts to and from the core/v1 shape (`sharedStorage`). Validation is
 * upstream's strict events.k8s.io rule set (pkg/apis/core/validation/events.go), reported on the
 * internal field names as upstream does; the table is the event printer (`printEvent`).
 */
import type { Event as EventV1 } from "kubernetes-types/events/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { isDNS1123Subdomain, isQualifiedName } from "../../../shared/api/validation.js";
import { NAME_COLUMN } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { column, deepEqual, immutable, since } from "./common.js";

/** Upstream field length limits for events. */
const REPORTING_INSTANCE_MAX_LENGTH = 128;
const ACTION_MAX_LENGTH = 128;
const REASON_MAX_LENGTH = 128;
const NOTE_MAX_LENGTH = 1024;

/** Field renames between events.k8s.io/v1 (left) and core/v1 (right), as upstream's conversion. */
const RENAMES: ReadonlyArray<[string, string]> = [
  ["regarding", "involvedObject"],
  ["note", "message"],
  ["deprecatedSource", "source"],
  ["deprecatedFirstTimestamp", "firstTimestamp"],
  ["deprecatedLastTimestamp", "lastTimestamp"],
  ["deprecatedCount", "count"],
  ["reportingController", "reportingComponent"],
];

function rename(obj: KubeObject, apiVersion: string, pairs: ReadonlyArray<[string, string]>): KubeObject {
  const out: KubeObject = { ...structuredClone(obj), apiVersion, kind: "Event" };
  for (const [from, to] of pairs) {
    if (from in out) {
      out[to] = out[from];
      delete out[from];
    }
  }
  return out;
}

/**
 * events.k8s.io/v1 → core/v1 Event.
 *
 * @example eventV1ToCore({ metadata: { name: "e" }, regarding: { kind: "Pod", name: "p" }, note: "hi" }).message === "hi"
 */
export function eventV1ToCore(obj: KubeObject): KubeObject {
  return rename(obj, "v1", RENAMES);
}

/** core/v1 → events.k8s.io/v1 Event. */
export function coreEventToV1(obj: KubeObject): KubeObject {
  return rename(obj, "events.k8s.io/v1", RENAMES.map(([a, b]) => [b, a] as [string, string]));
}

/** Upstream `legacyValidateEvent`: the checks every event write passes, whatever its API version. */
function legacyValidateEvent(ev: EventV1): StatusCause[] {
  const causes: StatusCause[] = [];
  const namespace = ev.metadata?.namespace ?? "";
  const regardingNs = ev.regarding?.namespace ?? "";
  if (!ev.eventTime) {
    // Old-style events: the event lives in its object's namespace ("default" for cluster objects).
    if (regardingNs ? namespace !== regardingNs : namespace !== "" && namespace !== "default") {
      causes.push(fieldError.invalid("involvedObject.namespace", regardingNs, "does not match event.namespace"));
    }
  } else {
    if (!regardingNs && namespace !== "default" && namespace !== "kube-system") {
      causes.push(fieldError.invalid("involvedObject.namespace", regardingNs, "does not match event.namespace"));
    }
    const controller = ev.reportingController ?? "";
    if (!controller) causes.push(fieldError.required("reportingController"));
    for (const msg of isQualifiedName(controller)) causes.push(fieldError.invalid("reportingController", controller, msg));
    const instance = ev.reportingInstance ?? "";
    if (!instance) causes.push(fieldError.required("reportingInstance"));
    if (instance.length > REPORTING_INSTANCE_MAX_LENGTH) causes.push(fieldError.invalid("reportingInstance", "", `can have at most ${REPORTING_INSTANCE_MAX_LENGTH} characters`));
    const action = ev.action ?? "";
    if (!action) causes.push(fieldError.required("action"));
    if (action.length > ACTION_MAX_LENGTH) causes.push(fieldError.invalid("action", "", `can have at most ${ACTION_MAX_LENGTH} characters`));
    const reason = ev.reason ?? "";
    if (!reason) causes.push(fieldError.required("reason"));
    if (reason.length > REASON_MAX_LENGTH) causes.push(fieldError.invalid("reason", "", `can have at most ${REASON_MAX_LENGTH} characters`));
    if ((ev.note ?? "").length > NOTE_MAX_LENGTH) causes.push(fieldError.invalid("message", "", `can have at most ${NOTE_MAX_LENGTH} characters`));
  }
  for (const msg of isDNS1123Subdomain(namespace)) causes.push(fieldError.invalid("namespace", namespace, msg));
  return causes;
}

/** Upstream `validateV1EventSeries`. */
function validateSeries(ev: EventV1): StatusCause[] {
  if (!ev.series) return [];
  const causes: StatusCause[] = [];
  if ((ev.series.count ?? 0) < 2) causes.push(fieldError.invalid("series.count", "", "should be at least 2"));
  if (!ev.series.lastObservedTime) causes.push(fieldError.required("series.lastObservedTime"));
  return causes;
}

/**
 * Upstream `ValidateEventCreate` / `ValidateEventUpdate` for events.k8s.io/v1, reported on the internal
 * (core) field names as upstream does.
 *
 * @example validateEvent(ev, undefined) // [] for a complete events.k8s.io/v1 Event
 */
export function validateEvent(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const ev = obj as unknown as EventV1;
  const causes = legacyValidateEvent(ev);
  if (old) {
    const o = old as unknown as EventV1;
    if (!deepEqual(ev.series ?? null, o.series ?? null)) causes.push(...validateSeries(ev));
    const pairs: Array<[unknown, unknown, string]> = [
      [ev.regarding, o.regarding, "involvedObject"],
      [ev.reason, o.reason, "reason"],
      [ev.note, o.note, "message"],
      [ev.deprecatedSource, o.deprecatedSource, "source"],
      [ev.deprecatedFirstTimestamp, o.deprecatedFirstTimestamp, "firstTimestamp"],
      [ev.deprecatedLastTimestamp, o.deprecatedLastTimestamp, "lastTimestamp"],
      [ev.deprecatedCount, o.deprecatedCount, "count"],
      [ev.type, o.type, "type"],
      [ev.eventTime, o.eventTime, "eventTime"],
      [ev.action, o.action, "action"],
      [ev.related, o.related, "related"],
      [ev.reportingController, o.reportingController, "reportingController"],
      [ev.reportingInstance, o.reportingInstance, "reportingInstance"],
    ];
    for (const [a, b, path] of pairs) causes.push(...immutable(a, b, path));
    return causes;
  }
  causes.push(...validateSeries(ev));
  if (!ev.eventTime) causes.push(fieldError.required("eventTime"));
  if (ev.type !== "Normal" && ev.type !== "Warning") causes.push(fieldError.invalid("type", "", `has invalid value: ${ev.type ?? ""}`));
  if (ev.deprecatedFirstTimestamp) causes.push(fieldError.invalid("firstTimestamp", "", "needs to be unset"));
  if (ev.deprecatedLastTimestamp) causes.push(fieldError.invalid("lastTimestamp", "", "needs to be unset"));
  if (ev.deprecatedCount) causes.push(fieldError.invalid("count", "", "needs to be unset"));
  if (ev.deprecatedSource?.component || ev.deprecatedSource?.host) causes.push(fieldError.invalid("source", "", "needs to be unset"));
  return causes;
}

/** Upstream `formatEventSource`: "component, host" with the reporting fields as fallbacks. */
function sourceText(ev: EventV1): string {
  const component = ev.deprecatedSource?.component || ev.reportingController || "";
  const host = ev.deprecatedSource?.host || ev.reportingInstance || "";
  return host ? `${component}, ${host}` : component;
}

/**
 * Cells of the event printer for an events.k8s.io/v1 object: Last Seen, Type, Reason, Object,
 * Subobject, Source, Message, First Seen, Count, Name.
 */
export function eventCells(ev: EventV1, now: number): (string | number)[] {
  const first = ev.deprecatedFirstTimestamp ? since(ev.deprecatedFirstTimestamp, now) : since(ev.eventTime, now);
  let last = ev.deprecatedLastTimestamp ? since(ev.deprecatedLastTimestamp, now) : first;
  let count = ev.deprecatedCount ?? 0;
  if (ev.series) {
    last = since(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  } else if (count === 0) {
    count = 1; // singleton events carry no count in the new API
  }
  const kind = (ev.regarding?.kind ?? "").toLowerCase();
  const target = ev.regarding?.name ? `${kind}/${ev.regarding.name}` : kind;
  return [last, ev.type ?? "", ev.reason ?? "", target, ev.regarding?.fieldPath ?? "", sourceText(ev), (ev.note ?? "").trim(), first, count, ev.metadata?.name ?? ""];
}

export const eventsV1: ResourceType = {
  ...resourceType({
    group: "events.k8s.io",
    version: "v1",
    kind: "Event",
    plural: "events",
    namespaced: true,
    shortNames: ["ev"],
    generationTracksSpec: false,
    table: {
      columns: [
        column("Last Seen", "string", "Time when this Event was last observed. Clients should use the series or deprecatedLastTimestamp."),
        column("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
        column("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
        column("Object", "string", "The object that this event is about."),
        column("Subobject", "string", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].", 1),
        column("Source", "string", "The component reporting this event. Should be a short machine understandable string.", 1),
        column("Message", "string", "A human-readable description of the status of this operation."),
        column("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", 1),
        column("Count", "string", "The number of times this event has occurred.", 1),
        { ...NAME_COLUMN, priority: 1 },
      ],
      cells: (obj, now) => eventCells(obj as unknown as EventV1, now),
    },
    validate: (obj, old) => validateEvent(obj, old),
    fieldSelectors: {
      // Upstream's selectable event fields, in events.k8s.io names.
      "regarding.kind": (o) => (o as unknown as EventV1).regarding?.kind ?? "",
      "regarding.namespace": (o) => (o as unknown as EventV1).regarding?.namespace ?? "",
      "regarding.name": (o) => (o as unknown as EventV1).regarding?.name ?? "",
      "regarding.uid": (o) => (o as unknown as EventV1).regarding?.uid ?? "",
      "regarding.apiVersion": (o) => (o as unknown as EventV1).regarding?.apiVersion ?? "",
      "regarding.resourceVersion": (o) => (o as unknown as EventV1).regarding?.resourceVersion ?? "",
      "regarding.fieldPath": (o) => (o as unknown as EventV1).regarding?.fieldPath ?? "",
      reason: (o) => (o as unknown as EventV1).reason ?? "",
      reportingController: (o) => (o as unknown as EventV1).reportingController ?? "",
      source: (o) => (o as unknown as EventV1).deprecatedSource?.component || ((o as unknown as EventV1).reportingController ?? ""),
      type: (o) => (o as unknown as EventV1).type ?? "",
    },
  }),
  sharedStorage: { group: "", version: "v1", plural: "events", toStorage: eventV1ToCore, fromStorage: coreEventToV1 },
};
