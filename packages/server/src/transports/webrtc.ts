/**
 * The WebRTC transport (docs/protocol.md, "WebRTC"): the same binary frames as the WebSocket stream, over SCTP data
 * channels on DTLS over UDP (werift, pure TypeScript), so that a lost packet costs one frame instead of holding up
 * every frame behind it as TCP does.
 *
 * Signalling is one authenticated HTTP exchange (non-trickle): POST /api/v1/webrtc/offer carries the client's offer
 * with its ICE candidates already gathered, the answer comes back with ours. The client opens two channels:
 *
 *   anc-control  ordered, reliable      hello → ready, error and event frames (they must not be lost)
 *   anc-audio    unordered, no retransmission (ordered: false, maxRetransmits: 0): audio up, anti-noise down
 *
 * Both feed one StreamConnection (ws.ts), exactly as a WebSocket does: one peer = one stream connection = one
 * session. A lost audio frame is a sequence gap to the engine (framesLost); one that arrives after its slot is
 * late (framesLate); neither waits for the other.
 *
 * A peer goes away when its connection fails or closes, when the control channel closes, when it is not connected
 * within connectTimeoutMs, when nothing arrives for idleTimeoutMs (a client that vanished without a goodbye), or on
 * DELETE /api/v1/webrtc/peers/:id. Every path ends in destroy(), which closes the peer connection and ends the
 * session the stream created.
 */
import { randomUUID } from 'node:crypto';
import { RTCPeerConnection, type RTCDataChannel } from 'werift';
import { FrameType } from '@antiphase/protocol';
import { ApiError } from '../errors.js';
import type { Principal } from '../auth/service.js';
import type { ServerMetrics } from '../metrics.js';
import type { SessionService } from '../sessions.js';
import { StreamConnection } from './ws.js';

export const CONTROL_CHANNEL = 'anc-control';
export const AUDIO_CHANNEL = 'anc-audio';

/** Largest offer accepted, characters: a browser's offer with a few candidates is 1–3 kB. */
const MAX_SDP_CHARS = 64 * 1024;

export interface WebRtcOptions {
  sessions: SessionService;
  queueFrames: number;
  /**
   * The only IPv4 addresses ICE may offer and use (e.g. ['127.0.0.1'] in tests, a public interface in
   * production); null: every host address of the machine, plus loopback.
   */
  addresses: readonly string[] | null;
  /** A peer must be connected this long after its answer, ms. */
  connectTimeoutMs: number;
  /** A connected peer that sends nothing for this long is gone, ms. */
  idleTimeoutMs: number;
  /** Peers at most (each holds UDP sockets and a DTLS context). */
  maxPeers: number;
  metrics: ServerMetrics;
}

interface Peer {
  id: string;
  userId: string;
  pc: RTCPeerConnection;
  connection: StreamConnection;
  control: RTCDataChannel | null;
  audio: RTCDataChannel | null;
  lastMessageAt: number;
  timer: ReturnType<typeof setInterval>;
  destroyed: boolean;
}

export interface WebRtcAnswer {
  peerId: string;
  type: 'answer';
  sdp: string;
}

/** Keeps only the candidate lines whose address is allowed (non-trickle: the SDP holds every candidate). */
function restrictCandidates(sdp: string, allowed: ReadonlySet<string>): string {
  return sdp
    .split(/\r?\n/)
    .filter((line) => {
      if (!line.startsWith('a=candidate:')) return true;
      const address = line.split(' ')[4];
      return address !== undefined && allowed.has(address);
    })
    .join('\r\n');
}

function parseOffer(body: unknown): string {
  const offer = (typeof body === 'object' && body !== null ? body : {}) as { type?: unknown; sdp?: unknown };
  if (offer.type !== 'offer') throw new ApiError('BAD_REQUEST', `body must be {"type": "offer", "sdp": "..."}, got type ${JSON.stringify(offer.type)}`);
  if (typeof offer.sdp !== 'string' || !offer.sdp.startsWith('v=0')) throw new ApiError('BAD_REQUEST', 'sdp must be an SDP offer (text starting with "v=0")');
  if (offer.sdp.length > MAX_SDP_CHARS) throw new ApiError('BAD_REQUEST', `sdp exceeds ${MAX_SDP_CHARS} characters`);
  if (!/^m=application .*webrtc-datachannel/m.test(offer.sdp)) {
    throw new ApiError('BAD_REQUEST', `the offer has no data channel (m=application … webrtc-datachannel): create the "${CONTROL_CHANNEL}" and "${AUDIO_CHANNEL}" channels before the offer`);
  }
  // DTLS and ICE credentials: without them the peer could never connect, so say so now rather than time out later.
  if (!/^a=fingerprint:[A-Za-z0-9-]+ [0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+\s*$/m.test(offer.sdp)) {
    throw new ApiError('BAD_REQUEST', 'the offer has no valid DTLS fingerprint (a=fingerprint:<hash> <hex bytes, colon-separated>)');
  }
  if (!/^a=ice-ufrag:\S+/m.test(offer.sdp) || !/^a=ice-pwd:\S+/m.test(offer.sdp)) throw new ApiError('BAD_REQUEST', 'the offer has no ICE credentials (a=ice-ufrag, a=ice-pwd)');
  if (!/^a=candidate:/m.test(offer.sdp)) {
    throw new ApiError('BAD_REQUEST', 'the offer carries no ICE candidates: wait for ICE gathering to complete before sending it (signalling is non-trickle)');
  }
  return offer.sdp;
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const { unSubscribe } = pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') {
        unSubscribe();
        resolve();
      }
    });
  });
}

export class WebRtcTransport {
  private readonly peers = new Map<string, Peer>();
  private readonly allowed: ReadonlySet<string> | null;
  private closed = false;

  constructor(private readonly options: WebRtcOptions) {
    this.allowed = options.addresses ? new Set(options.addresses) : null;
  }

  /** Live peer connections (tests count them: none may leak). */
  get peerCount(): number {
    return this.peers.size;
  }

  /** Answers an offer and keeps the peer until it goes away. */
  async answer(principal: Principal, body: unknown): Promise<WebRtcAnswer> {
    if (this.closed) throw new ApiError('OVERLOADED', 'the server is shutting down');
    const sdp = parseOffer(body);
    if (this.peers.size >= this.options.maxPeers) throw new ApiError('OVERLOADED', `the server holds ${this.options.maxPeers} WebRTC peers already (ANTIPHASE_MAX_SESSIONS)`);
    const allowed = this.allowed;
    const pc = new RTCPeerConnection({
      iceUseIpv6: false,
      iceAdditionalHostAddresses: allowed ? [...allowed] : ['127.0.0.1'],
      ...(allowed ? { iceFilterCandidatePair: (pair) => allowed.has(pair.protocol.localCandidate?.host ?? '') } : {}),
    });
    // The closures below read `peer` when they run, after it is built.
    const peer: Peer = {
      id: randomUUID(), userId: principal.userId, pc, control: null, audio: null, lastMessageAt: performance.now(), destroyed: false,
      timer: setInterval(() => this.checkLiveness(peer), 250),
      connection: new StreamConnection({
        sessions: this.options.sessions,
        principal,
        queueFrames: this.options.queueFrames,
        transport: 'webrtc',
        socket: {
          // Anti-noise goes back on the unreliable channel; ready, errors and events on the reliable one.
          send: (bytes) => {
            const channel = bytes[1] === FrameType.antiNoise ? peer.audio : peer.control;
            if (channel?.readyState === 'open') channel.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
          },
          close: () => this.destroy(peer),
          bufferedAmount: () => peer.audio?.bufferedAmount ?? 0,
        },
      }),
    };
    this.peers.set(peer.id, peer);
    this.options.metrics.webrtcPeers.set(this.peers.size);
    pc.onDataChannel.subscribe((channel) => this.attach(peer, channel));
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'failed' || state === 'closed' || state === 'disconnected') this.destroy(peer);
    });
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
    } catch (error) {
      this.destroy(peer);
      throw new ApiError('BAD_REQUEST', `the offer could not be negotiated: ${(error as Error).message}`);
    }
    if (peer.destroyed) throw new ApiError('OVERLOADED', 'the peer went away during negotiation');
    const answer = pc.localDescription!.sdp;
    return { peerId: peer.id, type: 'answer', sdp: allowed ? restrictCandidates(answer, allowed) : answer };
  }

  /** DELETE: the client's clean goodbye. 404 for someone else's peer. */
  hangUp(principal: Principal, peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer || peer.userId !== principal.userId) throw new ApiError('NOT_FOUND', `no WebRTC peer ${peerId}`);
    this.destroy(peer);
  }

  /** Server shutdown: every peer goes away (their sessions end with the connection). */
  close(): void {
    this.closed = true;
    for (const peer of [...this.peers.values()]) this.destroy(peer);
  }

  private attach(peer: Peer, channel: RTCDataChannel): void {
    if (channel.label === CONTROL_CHANNEL) peer.control = channel;
    else if (channel.label === AUDIO_CHANNEL) peer.audio = channel;
    else {
      channel.close(); // not ours: say so on the control channel if it is there
      return;
    }
    channel.onMessage.subscribe((data) => {
      peer.lastMessageAt = performance.now();
      if (typeof data === 'string') peer.connection.onMessage(Buffer.from(data, 'utf8'), false);
      else peer.connection.onMessage(data, true);
    });
    if (channel.label === CONTROL_CHANNEL) {
      channel.stateChanged.subscribe((state) => {
        if (state === 'closed' || state === 'closing') this.destroy(peer);
      });
    }
  }

  private checkLiveness(peer: Peer): void {
    const now = performance.now();
    const connected = peer.pc.connectionState === 'connected';
    if (!connected && now - peer.lastMessageAt > this.options.connectTimeoutMs) this.destroy(peer);
    else if (connected && now - peer.lastMessageAt > this.options.idleTimeoutMs) this.destroy(peer);
  }

  private destroy(peer: Peer): void {
    if (peer.destroyed) return;
    peer.destroyed = true;
    clearInterval(peer.timer);
    this.peers.delete(peer.id);
    this.options.metrics.webrtcPeers.set(this.peers.size);
    peer.connection.onClose();
    void peer.pc.close().catch(() => undefined);
  }
}
