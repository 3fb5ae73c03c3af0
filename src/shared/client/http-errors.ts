/**
 * Turns a failed HTTP answer into an `ApiError`. A `metav1.Status` body gives the code, reason,
 * message and details as the server sent them; any other body (a proxy's HTML page, an empty 503)
 * gets the reason and message client-go's `NewGenericServerResponse` gives that code.
 */
import { ApiError, type Status, type StatusReason } from "../api/status.js";

/** The most of a non-Status error body kept in the message: enough to see what answered. */
const MAX_UNSTRUCTURED_BODY_CHARS = 512;

const GENERIC: Record<number, [StatusReason, string]> = {
  400: ["BadRequest", "the server rejected our request for an unknown reason"],
  401: ["Unauthorized", "the server has asked for the client to provide credentials"],
  403: ["Forbidden", "the server does not allow access to the requested resource"],
  404: ["NotFound", "the server could not find the requested resource"],
  405: ["MethodNotAllowed", "the server does not allow this method on the requested resource"],
  406: ["NotAcceptable", "the server was unable to respond with a content type that the client supports"],
  409: ["Conflict", "the server reported a conflict"],
  410: ["Gone", "the server reported that the requested resource is gone"],
  413: ["RequestEntityTooLarge", "the server has rejected the request because it is too large"],
  415: ["UnsupportedMediaType", "the server was unable to process the request because of an unsupported media type"],
  422: ["Invalid", "the server rejected our request due to an error in our request"],
  429: ["TooManyRequests", "the server has received too many requests and has asked us to try again later"],
  500: ["InternalError", "an error on the server has prevented the request from succeeding"],
  503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
  504: ["Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request"],
};

function isStatus(v: unknown): v is Status {
  return typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "Status";
}

/**
 * The `ApiError` for an HTTP answer with a non-2xx code.
 *
 * @example apiErrorFromResponse(404, '{"kind":"Status","code":404,"reason":"NotFound","message":"pods \\"x\\" not found"}')
 *   // → ApiError { code: 404, reason: "NotFound", message: 'pods "x" not found' }
 */
export function apiErrorFromResponse(statusCode: number, body: string, retryAfter?: string): ApiError {
  let parsed: unknown;
  try {
    parsed = body ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  const retryAfterSeconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  if (isStatus(parsed)) {
    const details = parsed.details ? { ...parsed.details } : retryAfterSeconds !== undefined ? {} : undefined;
    if (details && retryAfterSeconds !== undefined && details.retryAfterSeconds === undefined) details.retryAfterSeconds = retryAfterSeconds;
    return new ApiError(parsed.code || statusCode, parsed.reason ?? "", parsed.message ?? "", details);
  }
  return genericError(statusCode, body, retryAfterSeconds);
}

/** Upstream's fallback for a body that is not a Status: the code's reason, and the body text when short. */
function genericError(statusCode: number, body: string, retryAfterSeconds?: number): ApiError {
  const [reason, message] = GENERIC[statusCode] ?? (statusCode >= 500 ? (["InternalError", "an error on the server has prevented the request from succeeding"] as const) : (["", `the server responded with the status code ${statusCode} but did not return more information`] as const));
  const text = body.trim();
  const full = text ? `${message} (${text.length > MAX_UNSTRUCTURED_BODY_CHARS ? text.slice(0, MAX_UNSTRUCTURED_BODY_CHARS) + "…" : text})` : message;
  return new ApiError(statusCode, reason, full, retryAfterSeconds !== undefined ? { retryAfterSeconds } : undefined);
}
