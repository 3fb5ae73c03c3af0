/**
 * Relaying one byte-stream connection between two duplex streams: a port-forward connection between
 * the client's stream and the node's tunnel stream on the server, and between the tunnel stream and
 * the pod's socket on the agent.
 */
import type { Duplex } from "node:stream";

/**
 * Relays bytes between two duplex streams until both are done, with backpressure (pipe) and
 * half-close (one side's EOF ends the other's writable side only). A side that closes without its
 * EOF (a reset, an error) aborts the other at once. A side that finished cleanly stops reading the
 * other one, which is then drained, so the other's peer can close it in turn; it is never reset
 * after its EOF was sent, which would throw away data the peer has not read yet.
 * Resolves when both sides are closed, with the first error seen (if any).
 *
 * @example const err = await relay(clientDataStream, nodeStream)
 */
export function relay(a: Duplex, b: Duplex): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let firstError: Error | undefined;
    let closed = 0;
    const wire = (from: Duplex, to: Duplex): void => {
      from.pipe(to);
      from.on("error", (err: Error) => {
        firstError ??= err;
      });
      from.once("close", () => {
        if (!from.readableEnded) to.destroy();
        else if (!to.destroyed) {
          // Nowhere to send `to`'s bytes any more: drain them so its peer can finish and close it.
          to.unpipe(from);
          to.resume();
        }
        if (++closed === 2) resolve(firstError);
      });
    };
    wire(a, b);
    wire(b, a);
  });
}
