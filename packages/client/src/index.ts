/**
 * @antiphase/client — the Node entry: everything in the browser entry, with WsStreamClient on the `ws` package
 * (so the credential goes in the Authorization header), RtcStreamClient on werift, and the gRPC client. Browsers
 * get ./browser.ts instead (package.json "browser" condition).
 */
import WebSocket from 'ws';
import { RTCPeerConnection } from 'werift';
import { WsStreamClient as BaseWsStreamClient, type WebSocketFactory, type WebSocketLike } from './ws-client.js';
import { RtcStreamClient as BaseRtcStreamClient, type RtcDataChannelLike, type RtcPeerConnectionLike, type RtcPeerFactory } from './rtc-client.js';

export * from './common.js';
export { globalWebSocketFactory, streamUrl, type WebSocketFactory, type WebSocketLike } from './ws-client.js';
export { GrpcStreamClient, type GrpcStreamClientOptions } from './grpc-client.js';
export { connectWithFallback, rtcSocketFactory, type RtcPeerFactory, type RtcPeerConnectionLike, type RtcDataChannelLike } from './rtc-client.js';

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

/**
 * Peer connections on werift (pure TypeScript WebRTC). `addresses`: host addresses ICE may use besides the
 * machine's own (default loopback, so that a client and a service on one host always find each other).
 */
export function nodeRtcPeerFactory(addresses: readonly string[] = ['127.0.0.1']): RtcPeerFactory {
  return () => {
    const pc = new RTCPeerConnection({ iceAdditionalHostAddresses: [...addresses], iceUseIpv6: false });
    const createDataChannel = pc.createDataChannel.bind(pc);
    // werift sends Buffers; the client hands it Uint8Arrays (a Buffer view shares their memory, no copy).
    return Object.assign(pc, {
      createDataChannel(label: string, init: { ordered?: boolean; maxRetransmits?: number }): RtcDataChannelLike {
        const channel = createDataChannel(label, init);
        const send = channel.send.bind(channel);
        return Object.assign(channel, {
          send: (data: Uint8Array) => send(Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
        }) as unknown as RtcDataChannelLike;
      },
    }) as unknown as RtcPeerConnectionLike;
  };
}

/** RtcStreamClient for Node: werift peer connections unless another factory is given. */
export class RtcStreamClient extends BaseRtcStreamClient {
  constructor(createPeer: RtcPeerFactory = nodeRtcPeerFactory(), fetchImpl?: typeof fetch) {
    super(createPeer, fetchImpl);
  }
}
