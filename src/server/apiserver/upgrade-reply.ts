/**
 * Answering a streaming upgrade (exec, attach, port-forward) that is refused before it switches
 * protocols: the client gets a normal HTTP response with a `metav1.Status` body, as from any API call,
 * so kubectl prints the server's reason instead of a bare "upgrade failed".
 */
import http from "node:http";
import type { Duplex } from "node:stream";
import { ApiError } from "../../shared/api/status.js";

/**
 * Writes the Status response for a refused upgrade and closes the socket.
 * @example if (!user) return rejectUpgrade(socket, unauthorized());
 */
export function rejectUpgrade(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(err.toStatus());
  socket.end(`HTTP/1.1 ${err.code} ${http.STATUS_CODES[err.code] ?? ""}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * The ApiError to answer for any failure: ApiErrors as they are, anything else as an InternalError.
 * @example rejectUpgrade(socket, asApiError(err, "exec failed"))
 */
export function asApiError(err: unknown, fallback: string): ApiError {
  return err instanceof ApiError ? err : new ApiError(500, "InternalError", `${fallback}: ${(err as Error).message}`);
}
