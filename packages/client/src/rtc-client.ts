/**
 * RtcStreamClient: one ANC session over WebRTC data channels (docs/protocol.md, "WebRTC"), with the surface of
 * WsStreamClient — the same frames, sequence handling, back-pressure and reconnection, because it *is* a
 * WsStreamClient whose "socket" is a peer connection:
 *
 *   create ─► RTCPeerConnection + anc-control (ordered, reliable) + anc-audio (ordered: false, maxRetransmits: 0)
 *          ─► offer, wait for ICE gathering ─► POST /api/v1/webrtc/offer (Authorization: Bearer …) ─► answer
 *          ─► both channels open: the socket is open ─► hello / ready / audio as over WebSocket
 *   audio frames go out on anc-audio, everything else on anc-control; the server answers the same way.
 *   close ─► DELETE /api/v1/webrtc/peers/:id (best effort), channels and peer closed.
 *
 * Browser-safe: the RTCPeerConnection is injected (the browser's global one, or werift in Node: index.ts).
 */
import { FrameType } from '@antiphase/protocol';
import { StreamError, type ReadyInfo, type StreamClient, type StreamConnectOptions } from './stream.js';
import { WsStreamClient, type WebSocketFactory, type WebSocketLike } from './ws-client.js';

export const CONTROL_CHANNEL = 'anc-control';
export const AUDIO_CHANNEL = 'anc-audio';

/** The part of RTCDataChannel used here (the browser's and werift's both have it). */
export interface RtcDataChannelLike {
  readonly readyState: string;
  readonly bufferedAmount: number;
  binaryType?: string;
  onopen: ((event?: unknown) => void) | null | undefined;
  onclose: ((event?: unknown) => void) | null | undefined;
  onmessage: ((event: { data: unknown }) => void) | null | undefined;
  send(data: Uint8Array): void;
  close(): void;
}

/** The part of RTCPeerConnection used here. */
export interface RtcPeerConnectionLike {
  createDataChannel(label: string, init: { ordered?: boolean; maxRetransmits?: number }): RtcDataChannelLike;
  createOffer(): Promise<{ type: string; sdp?: string }>;
  setLocalDescription(description: { type: string; sdp?: string }): Promise<unknown>;
  setRemoteDescription(description: { type: 'answer'; sdp: string }): Promise<unknown>;
  readonly localDescription: { type: string; sdp: string } | null;
  readonly iceGatheringState: string;
  onicegatheringstatechange: ((event?: unknown) => void) | null | undefined;
  readonly connectionState: string;
  onconnectionstatechange: ((event?: unknown) => void) | null | undefined;
  close(): unknown;
}

export type RtcPeerFactory = () => RtcPeerConnectionLike;

/** The browser's (or any runtime's) global RTCPeerConnection. */
export function globalRtcPeerFactory(): RtcPeerFactory {
  const Ctor = (globalThis as { RTCPeerConnection?: new () => RtcPeerConnectionLike }).RTCPeerConnection;
  if (Ctor === undefined) throw new Error('this runtime has no global RTCPeerConnection; pass an RtcPeerFactory (in Node: import from @antiphase/client)');
  return () => new Ctor();
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;
/** ICE gathering on a host with a few interfaces takes well under a second; this bounds a stuck one. */
const GATHERING_TIMEOUT_MS = 5000;

export function waitForGathering(pc: Pick<RtcPeerConnectionLike, 'iceGatheringState' | 'onicegatheringstatechange'>): Promise<void> {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const timer = setTimeout(resolve, GATHERING_TIMEOUT_MS); // send what has been gathered
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    };
  });
}

/** POST /api/v1/webrtc/offer (non-trickle: the offer holds its candidates); the answer, or an Error saying why not. */
export async function postOffer(base: string, headers: Record<string, string>, sdp: string, fetchImpl: typeof fetch): Promise<{ peerId: string | null; sdp: string }> {
  const response = await fetchImpl(`${base}/api/v1/webrtc/offer`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'offer', sdp }),
  });
  const body = (await response.json().catch(() => ({}))) as { peerId?: string; sdp?: string; error?: { code?: string; message?: string } };
  if (!response.ok || typeof body.sdp !== 'string') {
    throw new Error(`signalling answered ${response.status}${body.error ? ` ${body.error.code}: ${body.error.message}` : ''}`);
  }
  return { peerId: body.peerId ?? null, sdp: body.sdp };
}

/** A WebSocketLike over a peer connection's two data channels. */
class RtcSocket implements WebSocketLike {
  binaryType = 'arraybuffer';
  readyState = CONNECTING;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  private readonly pc: RtcPeerConnectionLike;
  private readonly control: RtcDataChannelLike;
  private readonly audio: RtcDataChannelLike;
  private peerId: string | null = null;

  constructor(
    private readonly base: string,
    private readonly headers: Record<string, string>,
    createPeer: RtcPeerFactory,
    private readonly fetchImpl: typeof fetch,
  ) {
    this.pc = createPeer();
    this.control = this.pc.createDataChannel(CONTROL_CHANNEL, { ordered: true });
    this.audio = this.pc.createDataChannel(AUDIO_CHANNEL, { ordered: false, maxRetransmits: 0 });
    for (const channel of [this.control, this.audio]) {
      channel.binaryType = 'arraybuffer';
      channel.onopen = () => this.maybeOpen();
      channel.onclose = () => this.fail('data channel closed');
      channel.onmessage = (event) => {
        if (this.readyState === OPEN) this.onmessage?.({ data: event.data });
      };
    }
    this.pc.onconnectionstatechange = () => {
      if (['failed', 'closed', 'disconnected'].includes(this.pc.connectionState)) this.fail(`peer connection ${this.pc.connectionState}`);
    };
    void this.signal();
  }

  get bufferedAmount(): number {
    return this.audio.bufferedAmount;
  }

  send(data: Uint8Array): void {
    (data[1] === FrameType.audio ? this.audio : this.control).send(data);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    if (this.peerId !== null) {
      // The server also notices the peer going away; the DELETE makes it immediate.
      void this.fetchImpl(`${this.base}/api/v1/webrtc/peers/${this.peerId}`, { method: 'DELETE', headers: this.headers }).catch(() => undefined);
    }
    this.teardown();
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }

  private async signal(): Promise<void> {
    try {
      await this.pc.setLocalDescription(await this.pc.createOffer());
      await waitForGathering(this.pc);
      if (this.readyState === CLOSED) return;
      const answer = await postOffer(this.base, this.headers, this.pc.localDescription!.sdp, this.fetchImpl);
      if (this.readyState === CLOSED) return;
      this.peerId = answer.peerId;
      await this.pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    } catch (error) {
      this.fail((error as Error).message, true);
    }
  }

  private maybeOpen(): void {
    if (this.readyState !== CONNECTING || this.control.readyState !== 'open' || this.audio.readyState !== 'open') return;
    this.readyState = OPEN;
    this.onopen?.({});
  }

  private fail(message: string, reportError = false): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    if (reportError) this.onerror?.({ message: `WebRTC: ${message}` });
    this.teardown();
    queueMicrotask(() => this.onclose?.({ code: 1006, reason: message }));
  }

  private teardown(): void {
    for (const channel of [this.control, this.audio]) {
      channel.onopen = channel.onclose = channel.onmessage = null;
      try {
        channel.close();
      } catch {
        // already closed
      }
    }
    this.pc.onconnectionstatechange = null;
    void Promise.resolve(this.pc.close()).catch(() => undefined);
  }
}

/** A WebSocketFactory whose sockets are WebRTC peer connections signalled over the service's HTTP API. */
export function rtcSocketFactory(createPeer: RtcPeerFactory, fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)): WebSocketFactory {
  return {
    supportsHeaders: true, // the credential goes in the signalling request's Authorization header
    create(url, headers) {
      const parsed = new URL(url);
      const base = `${parsed.protocol === 'wss:' ? 'https:' : 'http:'}//${parsed.host}`;
      return new RtcSocket(base, headers ?? {}, createPeer, fetchImpl);
    },
  };
}

export class RtcStreamClient extends WsStreamClient {
  override readonly transport = 'webrtc' as const;

  constructor(createPeer: RtcPeerFactory = globalRtcPeerFactory(), fetchImpl?: typeof fetch) {
    super(rtcSocketFactory(createPeer, fetchImpl));
  }
}

/**
 * Connects with the first client that works: e.g. [RtcStreamClient, WsStreamClient] falls back to WebSocket where
 * WebRTC fails (no UDP path, a service without WebRTC). Errors that any transport would meet again (bad
 * credentials, a bad config, an unknown session) are thrown at once. `onFallback` hears why each one failed.
 */
export async function connectWithFallback(
  options: StreamConnectOptions,
  clients: readonly (() => StreamClient)[],
  onFallback?: (transport: StreamClient['transport'], error: StreamError) => void,
): Promise<{ client: StreamClient; info: ReadyInfo }> {
  let last: StreamError | null = null;
  for (const create of clients) {
    const client = create();
    try {
      return { client, info: await client.connect(options) };
    } catch (error) {
      const streamError = error instanceof StreamError ? error : new StreamError(0, (error as Error).message);
      if (streamError.fatal) throw streamError;
      last = streamError;
      onFallback?.(client.transport, streamError);
      await client.close().catch(() => undefined);
    }
  }
  throw last ?? new RangeError('connectWithFallback needs at least one client');
}
