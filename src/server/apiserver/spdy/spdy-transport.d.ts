/**
 * The part of `spdy-transport@3.0.0` (plain CommonJS, no bundled types) that the SPDY session layer
 * uses. Fields starting with `_` are the package's internals; the version is pinned exactly in
 * package.json because connection.ts reaches into them.
 */
declare module "spdy-transport" {
  import type { EventEmitter } from "node:events";
  import type { Duplex } from "node:stream";

  namespace transport {
    interface WindowSide {
      getCurrent(): number;
      getMax(): number;
      setMax(max: number): void;
    }
    interface Window {
      recv: WindowSide;
      send: WindowSide;
    }
    interface Settings {
      initial_window_size?: number;
      [name: string]: number | undefined;
    }
    interface Frame {
      type: string;
      id?: number;
      settings?: Settings;
    }
    interface Parser {
      onSynHeadFrame(type: number, flags: number, body: unknown, callback: (err: Error | null, frame?: unknown) => void): void;
      parseKVs(buffer: unknown, callback: (err: Error | null, headers?: Record<string, string | string[]>) => void): void;
    }
    interface Framer {
      /** Frames scheduled but not yet pushed to the readable side. */
      count: number;
      _readableState: { length: number };
    }
    interface Stream extends Duplex {
      id: number;
      headers: Record<string, string | string[]>;
      _spdyState: { aborted: boolean };
      _writableState: { length: number; finished: boolean };
      respond(status: number, headers: Record<string, string>, callback?: (err: Error | null) => void): void;
      abort(code?: string, callback?: () => void): void;
      request?: unknown;
    }
    interface Connection extends EventEmitter {
      _spdyState: { parser: Parser; framer: Framer; streamWindow: Window; window: Window };
      _setDefaultWindow(settings: Settings): void;
      start(version: number): void;
      request(
        uri: { method: string; path: string; host?: string; headers?: Record<string, string> },
        callback?: (err: Error | null, stream: Stream) => void,
      ): Stream;
      ping(callback: (err: Error | null) => void): void;
      end(callback?: () => void): void;
    }
    interface ConnectionOptions {
      protocol: "spdy" | "http2";
      isServer: boolean;
      windowSize?: number;
      maxChunk?: number | false;
      autoSpdy31?: boolean;
      headerCompression?: boolean;
    }
  }

  const transport: {
    connection: { create(socket: Duplex, options: transport.ConnectionOptions): transport.Connection };
    protocol: { spdy: { dictionary: Record<number, Buffer> } };
  };
  export = transport;
}
