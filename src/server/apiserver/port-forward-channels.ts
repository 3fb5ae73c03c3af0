/**
 * Port-forward over a plain WebSocket (`v4.channel.k8s.io`, what @kubernetes/client-node speaks;
 * upstream kubelet `cri/streaming/portforward/websocket.go`): the request names its ports in the
 * `ports` query; the i-th port gets channel 2i for data (both ways) and 2i+1 for errors (server to
 * client). The server's first message on each of them is the port as a little-endian uint16, so a
 * client can tell which port a channel belongs to. Every message is one channel byte + payload, as
 * in the remote-command protocol (ws-channels.ts).
 */
import { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { badRequest } from "../../shared/api/status.js";
import { channelMessage } from "./ws-channels.js";

/**
 * Subprotocols upstream's port-forward WebSocket speaks in binary: `v4.channel.k8s.io`, and none at
 * all (a client that offers no subprotocol gets the same binary framing). The base64 variant is used
 * by no client we support; v5 exists only for remote commands.
 */
export const PORT_FORWARD_CHANNEL_PROTOCOL = "v4.channel.k8s.io";

/** Highest TCP port. */
const MAX_PORT = 65535;

/**
 * Parses PodPortForwardOptions' `ports` (repeated and/or comma-separated), with upstream's messages.
 * Throws a 400 ApiError.
 *
 * @example parsePortsQuery(new URLSearchParams("ports=80,443&ports=8080")) // [80, 443, 8080]
 */
export function parsePortsQuery(query: URLSearchParams): number[] {
  const values = query.getAll("ports");
  const ports: number[] = [];
  for (const value of values) {
    if (value === "") throw badRequest(`query parameter "ports" cannot be empty`);
    for (const p of value.split(",")) {
      if (!/^\d+$/.test(p) || Number(p) > MAX_PORT) throw badRequest(`unable to parse "${value}" as a port`);
      if (Number(p) < 1) throw badRequest(`port "${value}" must be > 0`);
      ports.push(Number(p));
    }
  }
  return ports;
}

/** Data channel of the i-th port. */
export function dataChannel(index: number): number {
  return index * 2;
}

/** Error channel of the i-th port. */
export function errorChannel(index: number): number {
  return index * 2 + 1;
}

/**
 * The first message's payload on both channels of a port: the port, uint16 little-endian.
 * @example portPrefix(8080) // <Buffer 90 1f>
 */
export function portPrefix(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port, 0);
  return b;
}

/**
 * Largest number of ports one WebSocket may forward: each needs two channels and a channel is one
 * byte, so 127 is the protocol's own limit.
 */
export const MAX_WEBSOCKET_PORTS = 127;

/**
 * One data channel of a port-forward WebSocket as a Duplex: what the client sends on the channel is
 * readable, what is written goes out as the channel's messages (the write completes when the
 * WebSocket has taken the message, so a slow client slows the writer). v4 has no way to half-close
 * one channel: ending the writable side sends nothing, and the readable side ends when the WebSocket
 * closes.
 */
export class WebSocketChannelStream extends Duplex {
  constructor(
    private readonly ws: WebSocket,
    readonly channel: number,
  ) {
    super({ allowHalfOpen: true });
  }

  /** A client message for this channel arrived; pauses the whole WebSocket while this reader is full. */
  deliver(payload: Buffer): void {
    if (this.destroyed || this.readableEnded) return;
    if (!this.push(payload)) this.ws.pause();
  }

  /** The WebSocket is gone: nothing more will arrive. */
  clientClosed(): void {
    if (!this.destroyed && !this.readableEnded) this.push(null);
  }

  override _read(): void {
    if (this.ws.isPaused) this.ws.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.ws.readyState !== this.ws.OPEN) {
      callback(new Error("the client closed the port-forward connection"));
      return;
    }
    this.ws.send(channelMessage(this.channel, chunk), { binary: true }, (err) => callback(err ?? null));
  }

  override _final(callback: (err?: Error | null) => void): void {
    callback();
  }
}
