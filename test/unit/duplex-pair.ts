/**
 * Test fixture: two connected in-memory Duplex ends, standing in for a tunnel stream or a socket.
 * What one end writes the other reads; ending one ends the other's readable side (half-close);
 * destroying one closes the other (a reset).
 */
import { Duplex } from "node:stream";

/** @example const [server, client] = duplexPair(); client.write("hi"); server.once("data", …) */
export function duplexPair(): [Duplex, Duplex] {
  const make = (peer: () => Duplex): Duplex =>
    new Duplex({
      allowHalfOpen: true,
      read() {},
      write(chunk: Buffer, _enc, done) {
        peer().push(chunk);
        done();
      },
      final(done) {
        peer().push(null);
        done();
      },
      destroy(err, done) {
        peer().destroy();
        done(err);
      },
    });
  const a: Duplex = make(() => b);
  const b: Duplex = make(() => a);
  return [a, b];
}
