/**
 * Sessions over REST: create, list, get (live stats or stored final stats), patch, end, and process one chunk
 * synchronously — a binary protocol audio frame (application/octet-stream → antiNoise frame) or JSON.
 */
import type { FastifyInstance } from 'fastify';
import { decodeSamplesInto, encodeAntiNoiseFrame, ProtocolError, readFrameHeader, type FrameHeader } from '@antiphase/protocol';
import { ApiError, type ApiErrorCode } from '../../errors.js';
import type { LiveSession } from '../../sessions.js';
import { principalOf, requireAuth, type AppDeps } from '../app.js';
import { idParams, openObject, sessionConfigSchema, sessionPatchSchema, sessionViewSchema } from './schemas.js';

interface JsonChunk {
  reference: number[];
  error: number[];
  sequence?: number;
  captureTimestampUs?: number;
}

/** Protocol codec errors as REST errors. */
function fromProtocol(error: unknown): never {
  if (error instanceof ProtocolError) {
    const code: ApiErrorCode = error.codeName === 'INVALID_AUDIO' ? 'INVALID_AUDIO'
      : error.codeName === 'FORMAT_MISMATCH' ? 'FORMAT_MISMATCH'
        : error.codeName === 'FRAME_TOO_LARGE' ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
    throw new ApiError(code, `${error.codeName}: ${error.message}`);
  }
  throw error;
}

/** Per-session REST sequence counters for JSON chunks that carry no sequence. */
const restSequence = new WeakMap<LiveSession, number>();

function toSamples(value: unknown, name: string, frameSize: number): Float32Array {
  if (!Array.isArray(value)) throw new ApiError('BAD_REQUEST', `${name} must be an array of numbers`);
  if (value.length !== frameSize) throw new ApiError('FORMAT_MISMATCH', `${name} has ${value.length} samples, the session's frameSize is ${frameSize}`);
  const out = new Float32Array(frameSize);
  for (let i = 0; i < frameSize; i++) {
    const x = value[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new ApiError('INVALID_AUDIO', `${name}[${i}] is not a finite number`);
    out[i] = x;
  }
  return out;
}

export async function sessionRoutes(app: FastifyInstance, { auth, sessions }: AppDeps): Promise<void> {
  app.addHook('preHandler', requireAuth(auth));

  app.post<{ Body: Record<string, unknown> }>('/sessions', {
    schema: {
      summary: 'Create an engine session owned by the caller (body: SessionConfig)', tags: ['sessions'], body: sessionConfigSchema,
      response: { 201: sessionViewSchema, '4xx': { $ref: 'Error#' } },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const { session } = await sessions.create(principal, request.body, 'rest');
    return reply.status(201).send(await sessions.get(principal, session.id));
  });

  app.get<{ Querystring: { all?: boolean; limit?: number } }>('/sessions', {
    schema: {
      summary: 'Your sessions, newest first (admins: ?all=true for everyone’s)', tags: ['sessions'],
      querystring: { type: 'object', properties: { all: { type: 'boolean' }, limit: { type: 'integer', minimum: 1, maximum: 1000 } } },
      response: { 200: { type: 'object', properties: { sessions: { type: 'array', items: sessionViewSchema } } }, '4xx': { $ref: 'Error#' } },
    },
  }, async (request) => ({ sessions: await sessions.list(principalOf(request), request.query.all === true, request.query.limit ?? 100) }));

  app.get<{ Params: { id: string } }>('/sessions/:id', {
    schema: { summary: 'A session: live stats from the engine, or the stored final stats', tags: ['sessions'], params: idParams, response: { 200: sessionViewSchema, '4xx': { $ref: 'Error#' } } },
  }, async (request) => sessions.get(principalOf(request), request.params.id));

  app.get<{ Params: { id: string }; Querystring: { limit?: number } }>('/sessions/:id/events', {
    schema: {
      summary: 'Stored noise events of a session, oldest first: bypass-on / bypass-off (emergency bypass) and noise-type changes',
      tags: ['sessions'], params: idParams,
      querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 10000 } } },
      response: { 200: { type: 'object', properties: { events: { type: 'array', items: openObject } } }, '4xx': { $ref: 'Error#' } },
    },
  }, async (request) => ({ events: await sessions.noiseEvents(principalOf(request), request.params.id, request.query.limit ?? 1000) }));

  app.patch<{ Params: { id: string }; Body: Record<string, unknown> }>('/sessions/:id', {
    schema: {
      summary: 'Change algorithm, stepSize, intensity or enabled while the session runs', tags: ['sessions'], params: idParams, body: sessionPatchSchema,
      response: { 200: openObject, '4xx': { $ref: 'Error#' } },
    },
  }, async (request) => sessions.update(principalOf(request), request.params.id, request.body));

  app.delete<{ Params: { id: string } }>('/sessions/:id', {
    schema: { summary: 'End a session; returns its final stats (also stored)', tags: ['sessions'], params: idParams, response: { 200: openObject, '4xx': { $ref: 'Error#' } } },
  }, async (request) => sessions.end(principalOf(request), request.params.id));

  app.post<{ Params: { id: string }; Body: Buffer | JsonChunk }>('/sessions/:id/process', {
    schema: {
      summary: 'Process one chunk synchronously: a binary audio frame (application/octet-stream → antiNoise frame) or JSON',
      tags: ['sessions'], params: idParams,
      body: {
        type: 'object',
        required: ['reference', 'error'],
        properties: {
          reference: { type: 'array', items: { type: 'number' } },
          error: { type: 'array', items: { type: 'number' } },
          sequence: { type: 'integer', minimum: 0, maximum: 4294967295 },
          captureTimestampUs: { type: 'number' },
        },
      },
      response: { 204: { type: 'null', description: 'the frame was dropped as late' }, '4xx': { $ref: 'Error#' } },
    },
    // The JSON schema applies to JSON bodies only; binary frames are validated by the codec.
    validatorCompiler: ({ schema }) => {
      const object = schema as { properties?: unknown };
      return (data: unknown) => (Buffer.isBuffer(data) || !object.properties || (typeof data === 'object' && data !== null)
        ? { value: data }
        : { error: new Error('body must be a JSON object or a binary frame') });
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const receivedAt = performance.now();
    await sessions.get(principal, request.params.id); // 404 for another user's session
    let session: LiveSession;
    try {
      session = sessions.attach(principal, request.params.id);
    } catch {
      throw new ApiError('SESSION_ENDED', `session ${request.params.id} has ended`);
    }
    const body = request.body;
    if (Buffer.isBuffer(body)) {
      let header: FrameHeader;
      const reference = new Float32Array(session.frameSize);
      const error = new Float32Array(session.frameSize);
      try {
        header = readFrameHeader(body);
        if (header.type !== 'audio') throw new ApiError('BAD_REQUEST', `expected an audio frame, got ${header.type}`);
        if (header.sampleRate !== session.sampleRate || header.sampleFormat !== session.sampleFormat) {
          throw new ApiError('FORMAT_MISMATCH', `frame is ${header.sampleRate} Hz ${header.sampleFormat}; the session negotiated ${session.sampleRate} Hz ${session.sampleFormat}`);
        }
        decodeSamplesInto(body, header, [reference, error]);
      } catch (caught) {
        sessions.countInvalid('rest');
        fromProtocol(caught);
      }
      const result = await sessions.processFrame(session, {
        sessionId: session.id, sequence: header.sequence, captureTimestampUs: header.captureTimestampUs, reference, error,
      }, 'rest', receivedAt);
      if (!result) return reply.status(204).send();
      const frame = encodeAntiNoiseFrame({
        sequence: result.sequence, captureTimestampUs: result.captureTimestampUs, sampleRate: session.sampleRate,
        antiNoise: result.antiNoise, processingUs: result.processingUs, sampleFormat: session.sampleFormat,
      });
      return reply.header('content-type', 'application/octet-stream').send(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
    }
    const chunk = body as JsonChunk;
    let reference: Float32Array;
    let error: Float32Array;
    try {
      reference = toSamples(chunk.reference, 'reference', session.frameSize);
      error = toSamples(chunk.error, 'error', session.frameSize);
    } catch (caught) {
      sessions.countInvalid('rest');
      throw caught;
    }
    const next = restSequence.get(session) ?? 0;
    const sequence = chunk.sequence ?? next;
    restSequence.set(session, (sequence + 1) >>> 0);
    const captureTimestampUs = chunk.captureTimestampUs ?? Date.now() * 1000;
    const result = await sessions.processFrame(session, { sessionId: session.id, sequence, captureTimestampUs, reference, error }, 'rest', receivedAt);
    if (!result) return reply.status(204).send();
    return {
      sessionId: session.id, sequence: result.sequence, captureTimestampUs: result.captureTimestampUs,
      antiNoise: Array.from(result.antiNoise), processingUs: result.processingUs, phase: result.phase, nrDb: result.nrDb,
    };
  });
}
