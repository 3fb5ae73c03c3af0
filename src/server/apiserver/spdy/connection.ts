/**
 * A server-side spdy-transport connection fitted for Kubernetes clients. Two adaptations, both
 * scoped to the connection objects made here (nothing global, node_modules untouched):
 *
 * 1. Kubernetes streams carry no HTTP pseudo-headers. spdy-transport treats every SYN_STREAM as an
 *    HTTP request and fails the whole session when `:method` or `:path` is missing, yet kubectl's
 *    SPDY library (moby/spdystream) sends only `streamtype`, `port`, `requestid` and the like. The
 *    connection's parser gets placeholders for the two missing names on SYN_STREAM frames only;
 *    `isPlaceholderHeader` lets the session hide them again.
 *
 * 2. spdystream implements no flow control: it never sends SETTINGS or WINDOW_UPDATE and ignores
 *    ours. A sender that honours the 64 KiB SPDY/3 initial window would stall for ever after the
 *    first 64 KiB sent to such a peer (a `kubectl cp` out of a pod). So our send windows start
 *    unbounded, with TCP backpressure alone, and switch to the SPDY/3.1 rules (64 KiB initial
 *    window or the peer's SETTINGS value, stream WINDOW_UPDATEs) as soon as the peer shows it does
 *    flow control by sending SETTINGS or WINDOW_UPDATE. Flow-controlled peers send SETTINGS first,
 *    before any stream, so no byte is sent to them outside their window. Our receive windows always
 *    follow SPDY/3.1 (stream windows are refilled as the reader consumes, the session window as
 *    frames are parsed).
 */
import type { Duplex } from "node:stream";
import transport from "spdy-transport";

/** SPDY/3 frame type of SYN_STREAM (SYN_REPLY, 2, has no request pseudo-headers to check). */
const SYN_STREAM = 0x01;

/** SPDY/3's initial stream window when the peer's SETTINGS do not name one. */
const SPDY3_DEFAULT_WINDOW = 64 * 1024;

/** The largest window SPDY allows (2^31 - 1): "unbounded" for a peer without flow control. */
const MAX_WINDOW = 2 ** 31 - 1;

/**
 * Receive window we advertise per stream (and for the session). Large enough that a flow-controlled
 * client is not throttled on a LAN (a few MB/s at a 50 ms round trip), small enough that a few
 * streams cannot buffer much on a 1 GB board.
 */
export const RECEIVE_WINDOW_BYTES = 256 * 1024;

/**
 * Largest DATA frame we send. spdy-transport's default (8 KiB) costs a frame and a scheduler pass
 * per 8 KiB; 32 KiB keeps copies and syscalls low and still interleaves streams fairly.
 */
const MAX_DATA_FRAME_BYTES = 32 * 1024;

const PLACEHOLDER = "\u0000kube-lite-placeholder";

/** Whether a header value is one of the placeholders added for a SYN_STREAM without `:method`/`:path`. */
export function isPlaceholderHeader(name: string, value: unknown): boolean {
  return (name === ":method" || name === ":path") && value === PLACEHOLDER;
}

/** Lets SYN_STREAM frames without `:method`/`:path` through this one parser (see the file comment). */
function acceptStreamsWithoutRequestHeaders(parser: transport.Parser): void {
  const onSynHeadFrame = parser.onSynHeadFrame;
  parser.onSynHeadFrame = function (this: transport.Parser, type, flags, body, callback) {
    if (type === SYN_STREAM) {
      // onSynHeadFrame parses the header block exactly once, synchronously, before its check.
      const parseKVs = this.parseKVs;
      this.parseKVs = function (this: transport.Parser, buffer, done) {
        this.parseKVs = parseKVs;
        parseKVs.call(this, buffer, (err, headers) => {
          if (!err && headers) {
            if (!headers[":method"]) headers[":method"] = PLACEHOLDER;
            if (!headers[":path"]) headers[":path"] = PLACEHOLDER;
          }
          done(err, headers);
        });
      };
    }
    onSynHeadFrame.call(this, type, flags, body, callback);
  };
}

/** Send windows unbounded until the peer shows flow control (see the file comment). */
function sendWindowsFollowPeer(connection: transport.Connection): void {
  const state = connection._spdyState;
  // New streams clone this template, so they start with the unbounded window.
  state.streamWindow.send.setMax(MAX_WINDOW);
  let flowControlled = false;
  // "frame" is emitted for every received frame before it is handled.
  connection.on("frame", (frame: transport.Frame) => {
    if (flowControlled || (frame.type !== "SETTINGS" && frame.type !== "WINDOW_UPDATE")) return;
    flowControlled = true;
    // A SETTINGS frame naming the window is applied by spdy-transport itself, right after this.
    if (frame.type === "SETTINGS" && frame.settings?.initial_window_size !== undefined) return;
    connection._setDefaultWindow({ initial_window_size: SPDY3_DEFAULT_WINDOW });
  });
}

/**
 * A server-side SPDY/3.1 connection over `socket`, accepting Kubernetes-style streams.
 * @example const c = createServerConnection(gate); c.on("stream", (s) => s.respond(200, {}));
 */
export function createServerConnection(socket: Duplex): transport.Connection {
  const connection = transport.connection.create(socket, {
    protocol: "spdy",
    isServer: true,
    // SPDY/3.1 session flow control although the frames say version 3 (3.1 changed no framing).
    autoSpdy31: true,
    windowSize: RECEIVE_WINDOW_BYTES,
    maxChunk: MAX_DATA_FRAME_BYTES,
  });
  acceptStreamsWithoutRequestHeaders(connection._spdyState.parser);
  sendWindowsFollowPeer(connection);
  return connection;
}
