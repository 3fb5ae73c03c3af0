/**
 * `metav1.Status` errors with upstream codes and reasons. Every failure the API returns to a client is
 * an `ApiError`; handlers throw it and the HTTP layer serialises `toStatus()`.
 */
export type StatusReason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Expired"
  | "Invalid"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "UnsupportedMediaType"
  | "RequestEntityTooLarge"
  | "TooManyRequests"
  | "InternalError"
  | "Timeout"
  | "ServiceUnavailable"
  | "";

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, unknown>;
  status: "Success" | "Failure";
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = "ApiError";
  }

  toStatus(): Status {
    const s: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: this.message, reason: this.reason, code: this.code };
    if (this.details) s.details = this.details;
    return s;
  }
}

/** `resource` is the plural, `group` the API group ("" for core), as upstream prints `deployments.apps "web"`. */
function qualified(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

export function notFound(group: string, resource: string, name: string): ApiError {
  return new ApiError(404, "NotFound", `${qualified(group, resource)} "${name}" not found`, { name, group, kind: resource });
}

export function pathNotFound(): ApiError {
  return new ApiError(404, "NotFound", "the server could not find the requested resource", {});
}

export function alreadyExists(group: string, resource: string, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${qualified(group, resource)} "${name}" already exists`, { name, group, kind: resource });
}

export function conflict(group: string, resource: string, name: string, why = "the object has been modified; please apply your changes to the latest version and try again"): ApiError {
  return new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(group, resource)} "${name}": ${why}`, { name, group, kind: resource });
}

/** 422 Invalid: `kind` is the Kind (not the resource), as upstream. */
export function invalid(group: string, kind: string, name: string, causes: StatusCause[]): ApiError {
  const lines = causes.map((c) => `${c.field ? c.field + ": " : ""}${c.message ?? ""}`);
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const message = lines.length === 1 ? `${qualifiedKind} "${name}" is invalid: ${lines[0]}` : `${qualifiedKind} "${name}" is invalid: [${lines.join(", ")}]`;
  return new ApiError(422, "Invalid", message, { name, group, kind, causes });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

export function methodNotAllowed(message = "the server does not allow this method on the requested resource"): ApiError {
  return new ApiError(405, "MethodNotAllowed", message);
}

export function unsupportedMediaType(contentType: string, accepted: string[]): ApiError {
  return new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`, {});
}

export function gone(message: string): ApiError {
  return new ApiError(410, "Expired", message);
}

export function unauthorized(): ApiError {
  return new ApiError(401, "Unauthorized", "Unauthorized");
}

export function forbidden(message: string, details?: StatusDetails): ApiError {
  return new ApiError(403, "Forbidden", message, details);
}

export function tooLarge(limit: number): ApiError {
  return new ApiError(413, "RequestEntityTooLarge", `the request body is too large: limit is ${limit} bytes`);
}

export function internalError(message: string): ApiError {
  return new ApiError(500, "InternalError", `Internal error occurred: ${message}`);
}

/** Field error helpers producing upstream's cause reasons and messages (`field.ErrorType`). */
export const fieldError = {
  required: (field: string, detail = ""): StatusCause => ({ reason: "FieldValueRequired", field, message: detail ? `Required value: ${detail}` : "Required value" }),
  invalid: (field: string, value: unknown, detail: string): StatusCause => ({ reason: "FieldValueInvalid", field, message: `Invalid value: ${JSON.stringify(value)}: ${detail}` }),
  notSupported: (field: string, value: unknown, allowed: string[]): StatusCause => ({
    reason: "FieldValueNotSupported",
    field,
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(", ")}`,
  }),
  forbidden: (field: string, detail: string): StatusCause => ({ reason: "FieldValueForbidden", field, message: `Forbidden: ${detail}` }),
  tooLong: (field: string, max: number): StatusCause => ({ reason: "FieldValueTooLong", field, message: `Too long: may not be more than ${max} bytes` }),
  duplicate: (field: string, value: unknown): StatusCause => ({ reason: "FieldValueDuplicate", field, message: `Duplicate value: ${JSON.stringify(value)}` }),
  /**
   * Upstream's `ValidateImmutableField`: `Invalid value: <new value>: field is immutable`. Upstream prints
   * structs in Go syntax, which has no JSON equivalent; for objects and lists we say only the reason.
   */
  immutable: (field: string, value: unknown): StatusCause => ({
    reason: "FieldValueInvalid",
    field,
    message: value !== null && typeof value === "object" ? "field is immutable" : `Invalid value: ${JSON.stringify(value ?? null)}: field is immutable`,
  }),
};
