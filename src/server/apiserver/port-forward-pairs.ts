/**
 * Port-forward over SPDY (kubectl, raw or tunnelled in a WebSocket; upstream kubelet
 * `cri/streaming/portforward/httpstream.go`): for every local connection the client opens two
 * streams carrying the same `requestid` header, one with `streamtype: error` and one with
 * `streamtype: data`, both with the remote `port`. This file checks each stream's headers and pairs
 * them up; a complete pair is one forwarded connection.
 */

/** The two stream types of a pair (upstream `api.StreamTypeError` / `api.StreamTypeData`). */
export type PortForwardStreamType = "error" | "data";

/** What the pairing needs of a client stream: its (lower-case) headers and, for old clients, its id. */
export interface PortForwardStream {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly id?: number;
}

export interface StreamPair<S extends PortForwardStream> {
  requestId: string;
  data?: S;
  error?: S;
}

/** One stream's checked headers. */
export interface PortForwardStreamHeaders {
  port: number;
  streamType: PortForwardStreamType;
  /** Empty when the client sent none. */
  requestId: string;
}

/**
 * How long the first stream of a pair waits for its partner: upstream's kubelet default
 * (streamCreationTimeout, 30 s). kubectl creates both right after each other, so only a broken
 * client hits it; the limit keeps such a client from piling up half pairs.
 */
export const STREAM_CREATION_TIMEOUT_MS = 30_000;

/** Highest TCP port. */
const MAX_PORT = 65535;

function header(headers: PortForwardStream["headers"], name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? "";
}

/**
 * Checks a new stream's `port` and `streamtype` headers as upstream's kubelet does before accepting
 * the stream; throws an Error with upstream's message.
 *
 * @example portForwardStreamHeaders({ port: "80", streamtype: "data", requestid: "0" }) // { port: 80, streamType: "data", requestId: "0" }
 */
export function portForwardStreamHeaders(headers: PortForwardStream["headers"]): PortForwardStreamHeaders {
  const portString = header(headers, "port");
  if (!portString) throw new Error(`"port" header is required`);
  if (!/^\d+$/.test(portString) || Number(portString) > MAX_PORT) throw new Error(`unable to parse "${portString}" as a port`);
  const port = Number(portString);
  if (port < 1) throw new Error(`port "${portString}" must be > 0`);
  const streamType = header(headers, "streamtype");
  if (!streamType) throw new Error(`"streamtype" header is required`);
  if (streamType !== "error" && streamType !== "data") throw new Error(`invalid stream type "${streamType}"`);
  return { port, streamType, requestId: header(headers, "requestid") };
}

/**
 * The request id of a stream. Clients older than request ids sent none; upstream's best effort
 * (right when connections are not opened concurrently) derives one from the stream id: an error
 * stream's own id, a data stream's id minus 2, since the pair's streams are consecutive odd ids.
 */
export function requestIdOf(h: PortForwardStreamHeaders, streamId: number | undefined): string {
  if (h.requestId || streamId === undefined) return h.requestId;
  return String(h.streamType === "error" ? streamId : streamId - 2);
}

/**
 * The pairs of one SPDY session still waiting for their second stream.
 *
 * @example
 * const pairs = new StreamPairs<SpdyStream>((p) => forward(p), (p) => p.error?.end("timed out waiting for streams"));
 * session.on("stream", (s) => { try { pairs.add(s) } catch (err) { s.reset() } });
 */
export class StreamPairs<S extends PortForwardStream> {
  private readonly waiting = new Map<string, { pair: StreamPair<S>; timer: NodeJS.Timeout }>();

  constructor(
    /** Called once with each pair that has both streams. */
    private readonly onComplete: (pair: StreamPair<S>, port: number) => void,
    /** Called with a pair whose second stream did not come in time (it is forgotten). */
    private readonly onTimeout: (pair: StreamPair<S>) => void,
    private readonly timeoutMs = STREAM_CREATION_TIMEOUT_MS,
  ) {}

  /** Pairs still waiting for a stream. */
  get size(): number {
    return this.waiting.size;
  }

  /**
   * Adds a client stream. Throws (upstream's messages) for bad headers or a second stream of the
   * same type in one pair; the caller refuses that stream.
   */
  add(stream: S): void {
    const h = portForwardStreamHeaders(stream.headers);
    const requestId = requestIdOf(h, stream.id);
    let entry = this.waiting.get(requestId);
    if (!entry) {
      const pair: StreamPair<S> = { requestId };
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        this.onTimeout(pair);
      }, this.timeoutMs);
      timer.unref();
      entry = { pair, timer };
      this.waiting.set(requestId, entry);
    }
    const { pair } = entry;
    if (pair[h.streamType]) throw new Error(`error processing stream for request ${requestId}: ${h.streamType} stream already assigned`);
    pair[h.streamType] = stream;
    if (pair.data && pair.error) {
      clearTimeout(entry.timer);
      this.waiting.delete(requestId);
      // The data stream's port is the one forwarded, as upstream reads it.
      this.onComplete(pair, portForwardStreamHeaders(pair.data.headers).port);
    }
  }

  /** Forgets every waiting pair (the session closed) and returns them. */
  clear(): StreamPair<S>[] {
    const pairs = [...this.waiting.values()];
    for (const e of pairs) clearTimeout(e.timer);
    this.waiting.clear();
    return pairs.map((e) => e.pair);
  }
}
