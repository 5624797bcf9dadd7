/**
 * @antiphase/client — the Node entry: everything in the browser entry, with WsStreamClient on the `ws` package
 * (so the credential goes in the Authorization header) and the gRPC client. Browsers get ./browser.ts instead
 * (package.json "browser" condition).
 */
import WebSocket from 'ws';
import { WsStreamClient as BaseWsStreamClient, type WebSocketFactory, type WebSocketLike } from './ws-client.js';

export * from './common.js';
export { globalWebSocketFactory, streamUrl, type WebSocketFactory, type WebSocketLike } from './ws-client.js';
export { GrpcStreamClient, type GrpcStreamClientOptions } from './grpc-client.js';

/** A WebSocketFactory on the `ws` package: headers allowed, no per-message compression (audio does not deflate). */
export function nodeWebSocketFactory(): WebSocketFactory {
  return {
    supportsHeaders: true,
    create(url, headers) {
      const socket = new WebSocket(url, { headers, perMessageDeflate: false });
      socket.binaryType = 'nodebuffer';
      return socket as unknown as WebSocketLike;
    },
  };
}

/** WsStreamClient for Node: the `ws` package unless another factory is given. */
export class WsStreamClient extends BaseWsStreamClient {
  constructor(factory: WebSocketFactory = nodeWebSocketFactory()) {
    super(factory);
  }
}
