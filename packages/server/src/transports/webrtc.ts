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
 * Opus track mode, for clients that can only send media (a browser's microphone): the offer carries an Opus audio
 * track (sendrecv, stereo: left = reference, right = error) and the anc-control channel, no anc-audio. The track's
 * RTP goes through an OpusBridge (media/opus-bridge.ts: jitter buffer, decode, resample, re-frame) into the same
 * StreamConnection, and the anti-noise comes back on the same track, mono.
 *
 * A peer goes away when its connection fails or closes, when the control channel closes, when it is not connected
 * within connectTimeoutMs, when nothing arrives for idleTimeoutMs (a client that vanished without a goodbye), or on
 * DELETE /api/v1/webrtc/peers/:id. Every path ends in destroy(), which closes the peer connection and ends the
 * session the stream created.
 */
import { randomUUID } from 'node:crypto';
import { RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket, type MediaStreamTrack, type RTCDataChannel, type RTCRtpTransceiver } from 'werift';
import { FrameType } from '@antiphase/protocol';
import { ApiError } from '../errors.js';
import type { Principal } from '../auth/service.js';
import type { ServerMetrics } from '../metrics.js';
import type { SessionService } from '../sessions.js';
import { StreamConnection } from './ws.js';
import { OPUS_RATE, OpusBridge, type OpusBridgeStats } from './media/opus-bridge.js';

export const CONTROL_CHANNEL = 'anc-control';
export const AUDIO_CHANNEL = 'anc-audio';

/**
 * The one codec of the track mode. Stereo must be said in the answer's fmtp for a browser to send two channels,
 * and the bit rate: at a browser's default (about 32 kbit/s a channel) Opus keeps the level of noise but not its
 * waveform, and the controller needs the waveform. werift's answer carries the offer's fmtp, so answer() adds both
 * (withStereoOpus).
 */
const OPUS_ANSWER_PARAMETERS = 'stereo=1;sprop-stereo=1;maxaveragebitrate=256000';
const OPUS_FMTP = `minptime=10;useinbandfec=1;${OPUS_ANSWER_PARAMETERS}`;

const ENDED_PEERS_REMEMBERED = 4096;

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
  /** Opus track mode: longest a packet waits in the jitter buffer for a missing one, ms. */
  jitterMs: number;
  /** Peers at most (each holds UDP sockets and a DTLS context). */
  maxPeers: number;
  metrics: ServerMetrics;
}

interface Peer {
  id: string;
  userId: string;
  mode: PeerMode;
  pc: RTCPeerConnection;
  connection: StreamConnection;
  control: RTCDataChannel | null;
  audio: RTCDataChannel | null;
  /** Track mode: the audio transceiver, and the bridge once the session is ready. */
  transceiver: RTCRtpTransceiver | null;
  bridge: OpusBridge | null;
  /** Track mode: RTP packets that came before the session was ready (dropped). */
  packetsBeforeReady: number;
  drainTimer: ReturnType<typeof setTimeout> | null;
  lastMessageAt: number;
  timer: ReturnType<typeof setInterval>;
  destroyed: boolean;
}

export type PeerMode = 'datachannel' | 'opus-track';

export interface WebRtcPeerView {
  peerId: string;
  mode: PeerMode;
  connectionState: string;
  sessionId: string | null;
  /** Track mode: the jitter buffer and codec counts; null in data-channel mode. */
  media: (OpusBridgeStats & { packetsBeforeReady: number }) | null;
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

/** The offer's audio m-section (up to the next m= line), or null. */
function audioSection(sdp: string): string | null {
  const start = sdp.search(/^m=audio /m);
  if (start < 0) return null;
  const rest = sdp.slice(start + 1);
  const end = rest.search(/^m=/m);
  return end < 0 ? sdp.slice(start) : sdp.slice(start, start + 1 + end);
}

/** Adds stereo and the bit rate to the Opus fmtp of the answer (see OPUS_FMTP). */
function withStereoOpus(sdp: string): string {
  const payloadType = /^a=rtpmap:(\d+) opus\/48000\/2/im.exec(sdp)?.[1];
  if (payloadType === undefined) return sdp;
  return sdp.replace(new RegExp(`^a=fmtp:${payloadType} (.*)$`, 'm'), (line, parameters: string) =>
    /stereo=1/.test(parameters) ? line : `a=fmtp:${payloadType} ${parameters.trim()};${OPUS_ANSWER_PARAMETERS}`);
}

function parseOffer(body: unknown): { sdp: string; mode: PeerMode } {
  const offer = (typeof body === 'object' && body !== null ? body : {}) as { type?: unknown; sdp?: unknown };
  if (offer.type !== 'offer') throw new ApiError('BAD_REQUEST', `body must be {"type": "offer", "sdp": "..."}, got type ${JSON.stringify(offer.type)}`);
  if (typeof offer.sdp !== 'string' || !offer.sdp.startsWith('v=0')) throw new ApiError('BAD_REQUEST', 'sdp must be an SDP offer (text starting with "v=0")');
  if (offer.sdp.length > MAX_SDP_CHARS) throw new ApiError('BAD_REQUEST', `sdp exceeds ${MAX_SDP_CHARS} characters`);
  const audio = audioSection(offer.sdp);
  if (!/^m=application .*webrtc-datachannel/m.test(offer.sdp)) {
    throw new ApiError('BAD_REQUEST', audio
      ? `the Opus track mode also needs the "${CONTROL_CHANNEL}" data channel (hello, ready, events): create it before the offer`
      : `the offer has no data channel (m=application … webrtc-datachannel): create the "${CONTROL_CHANNEL}" and "${AUDIO_CHANNEL}" channels before the offer`);
  }
  if (audio !== null) {
    if (!/^a=rtpmap:\d+ opus\/48000\/2\s*$/im.test(audio)) throw new ApiError('BAD_REQUEST', 'the audio track must offer Opus (a=rtpmap:<pt> opus/48000/2): it is the only codec of the track mode');
    if (/^a=(sendonly|recvonly|inactive)\s*$/m.test(audio)) {
      throw new ApiError('BAD_REQUEST', 'the audio track must be sendrecv: the microphone (stereo: reference left, error right) goes up, the anti-noise comes back');
    }
  }
  // DTLS and ICE credentials: without them the peer could never connect, so say so now rather than time out later.
  if (!/^a=fingerprint:[A-Za-z0-9-]+ [0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+\s*$/m.test(offer.sdp)) {
    throw new ApiError('BAD_REQUEST', 'the offer has no valid DTLS fingerprint (a=fingerprint:<hash> <hex bytes, colon-separated>)');
  }
  if (!/^a=ice-ufrag:\S+/m.test(offer.sdp) || !/^a=ice-pwd:\S+/m.test(offer.sdp)) throw new ApiError('BAD_REQUEST', 'the offer has no ICE credentials (a=ice-ufrag, a=ice-pwd)');
  if (!/^a=candidate:/m.test(offer.sdp)) {
    throw new ApiError('BAD_REQUEST', 'the offer carries no ICE candidates: wait for ICE gathering to complete before sending it (signalling is non-trickle)');
  }
  return { sdp: offer.sdp, mode: audio === null ? 'datachannel' : 'opus-track' };
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
  /** Peers that went away, by id → owner (the last ENDED_PEERS_REMEMBERED): a late goodbye from one is still 204. */
  private readonly ended = new Map<string, string>();
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
    const { sdp, mode } = parseOffer(body);
    if (this.peers.size >= this.options.maxPeers) throw new ApiError('OVERLOADED', `the server holds ${this.options.maxPeers} WebRTC peers already (ANTIPHASE_MAX_SESSIONS)`);
    const allowed = this.allowed;
    const pc = new RTCPeerConnection({
      iceUseIpv6: false,
      // One ICE transport for every m-line (werift otherwise gathers one per m-line; a Node offerer's unused ones stayed open).
      bundlePolicy: 'max-bundle',
      iceAdditionalHostAddresses: allowed ? [...allowed] : ['127.0.0.1'],
      codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: OPUS_RATE, channels: 2, parameters: OPUS_FMTP })], video: [] },
      ...(allowed ? { iceFilterCandidatePair: (pair) => allowed.has(pair.protocol.localCandidate?.host ?? '') } : {}),
    });
    // The closures below read `peer` when they run, after it is built.
    const peer: Peer = {
      id: randomUUID(), userId: principal.userId, mode, pc, control: null, audio: null, transceiver: null, bridge: null,
      packetsBeforeReady: 0, drainTimer: null, lastMessageAt: performance.now(), destroyed: false,
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
        media: mode === 'opus-track' ? {
          refuseConfig: (config) => {
            const sampleRate = (config as { sampleRate?: unknown } | null)?.sampleRate;
            const problem = typeof sampleRate === 'number' ? OpusBridge.unsupportedRate(sampleRate) : null;
            return problem === null ? null : `sampleRate ${sampleRate} Hz cannot be streamed on an Opus track: ${problem}`;
          },
          onReady: (session) => this.startMedia(peer, session.sampleRate, session.frameSize),
          onAntiNoise: (sequence, antiNoise) => peer.bridge?.antiNoise(sequence, antiNoise),
        } : undefined,
      }),
    };
    this.peers.set(peer.id, peer);
    this.options.metrics.webrtcPeers.set(this.peers.size);
    pc.onDataChannel.subscribe((channel) => this.attach(peer, channel));
    pc.onTrack.subscribe((track) => this.attachTrack(peer, track));
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'failed' || state === 'closed' || state === 'disconnected') this.destroy(peer);
    });
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      if (mode === 'opus-track') {
        peer.transceiver = pc.getTransceivers().find((t) => t.kind === 'audio') ?? null;
        peer.transceiver?.setDirection('sendrecv'); // the anti-noise goes back on the same track
      }
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
    } catch (error) {
      this.destroy(peer);
      throw new ApiError('BAD_REQUEST', `the offer could not be negotiated: ${(error as Error).message}`);
    }
    if (peer.destroyed) throw new ApiError('OVERLOADED', 'the peer went away during negotiation');
    const answer = mode === 'opus-track' ? withStereoOpus(pc.localDescription!.sdp) : pc.localDescription!.sdp;
    return { peerId: peer.id, type: 'answer', sdp: allowed ? restrictCandidates(answer, allowed) : answer };
  }

  /** GET: the peer's state and, in track mode, its jitter buffer and codec counts. 404 for someone else's peer. */
  view(principal: Principal, peerId: string): WebRtcPeerView {
    const peer = this.peers.get(peerId);
    if (!peer || peer.userId !== principal.userId) throw new ApiError('NOT_FOUND', `no WebRTC peer ${peerId}`);
    return {
      peerId: peer.id, mode: peer.mode, connectionState: peer.pc.connectionState, sessionId: peer.connection.sessionId,
      media: peer.mode === 'opus-track' ? { ...(peer.bridge?.stats ?? emptyMediaStats()), packetsBeforeReady: peer.packetsBeforeReady } : null,
    };
  }

  /**
   * DELETE: the client's clean goodbye. Idempotent for the owner: a peer that already went (timed out, or its
   * connection closed before the goodbye came) is answered like a live one. 404 for someone else's or an unknown peer.
   */
  hangUp(principal: Principal, peerId: string): void {
    if (this.ended.get(peerId) === principal.userId) return;
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

  /** Track mode: the session is ready, so its format is known; RTP from here on goes to the engine. */
  private startMedia(peer: Peer, sampleRate: number, frameSize: number): void {
    const { metrics } = this.options;
    peer.bridge = new OpusBridge({
      sampleRate, frameSize, jitterDelayMs: this.options.jitterMs,
      submit: (frame) => peer.connection.submitAudio(frame),
      send: (payload, timestamp, sequenceNumber, marker) => {
        const sender = peer.transceiver?.sender;
        if (!sender) return;
        metrics.webrtcMediaPackets.inc({ direction: 'down' });
        sender.sendRtp(new RtpPacket(new RtpHeader({ sequenceNumber, timestamp, marker }), payload)).catch(() => undefined);
      },
    });
  }

  private attachTrack(peer: Peer, track: MediaStreamTrack): void {
    if (track.kind !== 'audio') return;
    track.onReceiveRtp.subscribe((rtp) => {
      peer.lastMessageAt = performance.now();
      this.options.metrics.webrtcMediaPackets.inc({ direction: 'up' });
      const bridge = peer.bridge;
      if (!bridge) {
        peer.packetsBeforeReady++; // a browser sends as soon as it is connected, before its hello is answered
        return;
      }
      bridge.receive({ sequenceNumber: rtp.header.sequenceNumber, timestamp: rtp.header.timestamp, payload: rtp.payload });
      this.scheduleDrain(peer, bridge);
    });
  }

  /** A hole in the track: release the packets behind it when it is given up (the jitter buffer's bound). */
  private scheduleDrain(peer: Peer, bridge: OpusBridge): void {
    const deadline = bridge.nextDeadline();
    if (deadline === null || peer.drainTimer !== null || peer.destroyed) return;
    peer.drainTimer = setTimeout(() => {
      peer.drainTimer = null;
      bridge.drain();
      this.scheduleDrain(peer, bridge);
    }, Math.max(0, deadline - performance.now()));
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
    if (peer.drainTimer !== null) clearTimeout(peer.drainTimer);
    peer.bridge?.close();
    this.peers.delete(peer.id);
    this.ended.set(peer.id, peer.userId);
    if (this.ended.size > ENDED_PEERS_REMEMBERED) this.ended.delete(this.ended.keys().next().value!);
    this.options.metrics.webrtcPeers.set(this.peers.size);
    peer.connection.onClose();
    void peer.pc.close().catch(() => undefined);
  }
}

function emptyMediaStats(): OpusBridgeStats {
  return {
    jitter: { received: 0, released: 0, lost: 0, late: 0, duplicates: 0, reordered: 0, waitMsMean: 0, waitMsMax: 0 },
    framesSubmitted: 0, framesConcealed: 0, packetsUndecodable: 0, packetsSent: 0, framesSilent: 0,
  };
}
