/**
 * Patch errors worded as the apiserver words them (`handlers/patch.go`).
 */
import { ApiError, type StatusCause } from "../../../shared/api/status.js";

/**
 * 422 Invalid for a patch whose result cannot be the object (upstream decodes the patched JSON into
 * the kind's Go type and reports `field.Invalid("patch", <patched JSON>, <decode error>)` with an
 * empty GroupKind and name).
 *
 * @example throw invalidPatchResult([1, 2], "the patched object must be a JSON object")
 */
export function invalidPatchResult(patched: unknown, detail: string): ApiError {
  const cause: StatusCause = { reason: "FieldValueInvalid", field: "patch", message: `Invalid value: ${JSON.stringify(JSON.stringify(patched))}: ${detail}` };
  return new ApiError(422, "Invalid", ` "" is invalid: patch: ${cause.message}`, { causes: [cause] });
}

/**
 * 422 Invalid for a JSON patch operation that cannot be applied (a failed `test`, a missing path, an
 * unknown op). Upstream builds it with `errors.NewGenericServerResponse(422, …)`, which keeps only
 * the generic message, so kubectl prints exactly this text.
 */
export function jsonPatchApplyFailed(): ApiError {
  return new ApiError(422, "Invalid", "the server rejected our request due to an error in our request", {});
}
