/**
 * @antiphase/client for browsers (and any runtime with a global WebSocket and fetch): no `node:` imports, no ws,
 * no gRPC. RtcStreamClient uses the global RTCPeerConnection. WsStreamClient defaults to the global WebSocket; credentials travel as `?token=` (browsers cannot set
 * headers on a WebSocket upgrade).
 */
export * from './common.js';
export { WsStreamClient, globalWebSocketFactory, streamUrl, type WebSocketFactory, type WebSocketLike } from './ws-client.js';
export {
  RtcStreamClient, connectWithFallback, globalRtcPeerFactory, rtcSocketFactory, type RtcPeerFactory, type RtcPeerConnectionLike,
  type RtcDataChannelLike,
} from './rtc-client.js';
export { RtcMediaClient, type MediaConnectOptions, type MediaSession } from './rtc-media-client.js';
