/**
 * File jobs: POST /jobs (multipart `primary` + `reference` WAV files, optional `clean` WAV for an SNR report and an
 * optional `config` JSON field; or JSON with base64 fields of the same names) → 202 {id}; GET /jobs/:id;
 * GET /jobs/:id/result (the cleaned WAV); GET /jobs/:id/report.
 *
 * Uploads are checked at once (both present, both WAV headers, equal sample rates, options valid) so a bad upload
 * is a 400 naming the problem rather than a failed job later.
 */
import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors.js';
import { CancelInputError, inspectWav, resolveCancelOptions } from '../../jobs/cancel.js';
import type { JobUpload } from '../../jobs/runner.js';
import type { JobRecord } from '../../store/types.js';
import { principalOf, requireAuth, type AppDeps } from '../app.js';
import { idParams, openObject } from './schemas.js';

const FILE_FIELDS = ['primary', 'reference', 'clean'] as const;
type FileField = (typeof FILE_FIELDS)[number];

function jobView(job: JobRecord): Record<string, unknown> {
  return {
    id: job.id, status: job.status, createdAt: job.createdAt, finishedAt: job.finishedAt, error: job.error, options: job.options,
    resultUrl: job.status === 'done' ? `/api/v1/jobs/${job.id}/result` : null,
    reportUrl: job.status === 'done' ? `/api/v1/jobs/${job.id}/report` : null,
  };
}

async function readMultipart(request: FastifyRequest, maxUploadBytes: number): Promise<{ files: Partial<Record<FileField, Buffer>>; config: unknown }> {
  const files: Partial<Record<FileField, Buffer>> = {};
  let config: unknown;
  let total = 0;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (!(FILE_FIELDS as readonly string[]).includes(part.fieldname)) {
        await part.toBuffer().catch(() => undefined);
        throw new ApiError('BAD_REQUEST', `unexpected file field ${JSON.stringify(part.fieldname)} (expected primary, reference and optionally clean)`);
      }
      const bytes = await part.toBuffer();
      total += bytes.length;
      if (total > maxUploadBytes) throw new ApiError('PAYLOAD_TOO_LARGE', `upload exceeds the limit of ${maxUploadBytes} bytes (ANTIPHASE_MAX_UPLOAD_BYTES)`);
      files[part.fieldname as FileField] = bytes;
    } else if (part.fieldname === 'config') {
      try {
        config = JSON.parse(String(part.value));
      } catch {
        throw new ApiError('BAD_REQUEST', 'the config field is not valid JSON');
      }
    } else {
      throw new ApiError('BAD_REQUEST', `unexpected field ${JSON.stringify(part.fieldname)} (expected primary, reference, clean, config)`);
    }
  }
  return { files, config };
}

function readJsonUpload(body: unknown): { files: Partial<Record<FileField, Buffer>>; config: unknown } {
  if (typeof body !== 'object' || body === null) throw new ApiError('BAD_REQUEST', 'body must be multipart/form-data or a JSON object');
  const b = body as Record<string, unknown>;
  const files: Partial<Record<FileField, Buffer>> = {};
  for (const field of FILE_FIELDS) {
    if (b[field] === undefined) continue;
    if (typeof b[field] !== 'string') throw new ApiError('BAD_REQUEST', `${field} must be a base64 string of a WAV file`);
    files[field] = Buffer.from(b[field] as string, 'base64');
  }
  return { files, config: b.config };
}

export async function jobRoutes(app: FastifyInstance, { auth, jobs, store, config }: AppDeps): Promise<void> {
  app.addHook('preHandler', requireAuth(auth));

  app.post('/jobs', {
    // Multipart bodies are streamed and capped per file; a JSON body (base64) is ~4/3 of the bytes it carries.
    bodyLimit: Math.ceil(config.maxUploadBytes * 4 / 3) + 64 * 1024,
    schema: {
      summary: 'Upload a recording (primary = signal + noise) and a noise reference for adaptive noise cancellation (NLMS)',
      description: 'multipart/form-data with files `primary`, `reference`, optional `clean` (the signal alone, for an SNR report) and an ' +
        'optional field `config` = {"taps": 256, "stepSize": 0.02, "passes": 2}; or application/json with the same names, files base64.',
      tags: ['jobs'],
      response: { 202: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' }, statusUrl: { type: 'string' } } }, '4xx': { $ref: 'Error#' } },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const { files, config: options } = request.isMultipart()
      ? await readMultipart(request, config.maxUploadBytes)
      : readJsonUpload(request.body);
    for (const field of ['primary', 'reference'] as const) {
      if (!files[field] || files[field].length === 0) throw new ApiError('BAD_REQUEST', `missing the ${field} WAV file (field "${field}")`);
    }
    let upload: JobUpload;
    try {
      const primary = inspectWav(files.primary!, 'primary');
      const reference = inspectWav(files.reference!, 'reference');
      if (files.clean) inspectWav(files.clean, 'clean');
      if (primary.sampleRate !== reference.sampleRate) {
        throw new CancelInputError(`sample rates differ: primary is ${primary.sampleRate} Hz, reference is ${reference.sampleRate} Hz`);
      }
      upload = { primary: files.primary!, reference: files.reference!, options: resolveCancelOptions(options) };
      if (files.clean) upload.clean = files.clean;
    } catch (error) {
      if (error instanceof CancelInputError) throw new ApiError(error.message.startsWith('config') ? 'BAD_REQUEST' : 'INVALID_AUDIO', error.message);
      throw error;
    }
    const job = await jobs.submit(principal.userId, upload);
    return reply.status(202).send({ id: job.id, status: job.status, statusUrl: `/api/v1/jobs/${job.id}` });
  });

  const ownJob = async (request: FastifyRequest<{ Params: { id: string } }>): Promise<JobRecord> => {
    const principal = principalOf(request);
    const job = await store.jobById(request.params.id);
    if (!job || (job.userId !== principal.userId && principal.role !== 'admin')) throw new ApiError('NOT_FOUND', `no job ${JSON.stringify(request.params.id)}`);
    return job;
  };
  const doneJob = async (request: FastifyRequest<{ Params: { id: string } }>): Promise<JobRecord> => {
    const job = await ownJob(request);
    if (job.status === 'failed') throw new ApiError('NOT_READY', `job ${job.id} failed: ${job.error}`);
    if (job.status !== 'done') throw new ApiError('NOT_READY', `job ${job.id} is ${job.status}`);
    return job;
  };

  app.get<{ Params: { id: string } }>('/jobs/:id', {
    schema: { summary: 'Job status', tags: ['jobs'], params: idParams, response: { 200: openObject, '4xx': { $ref: 'Error#' } } },
  }, async (request) => jobView(await ownJob(request)));

  app.get<{ Params: { id: string } }>('/jobs/:id/result', {
    schema: { summary: 'The cleaned recording (32-bit float WAV)', tags: ['jobs'], params: idParams, produces: ['audio/wav'], response: { '4xx': { $ref: 'Error#' } } },
  }, async (request, reply) => {
    const job = await doneJob(request);
    return reply.header('content-type', 'audio/wav').header('content-disposition', `attachment; filename="${job.id}.wav"`)
      .send(createReadStream(job.resultPath!));
  });

  app.get<{ Params: { id: string } }>('/jobs/:id/report', {
    schema: { summary: 'The job report: NR, SNR (with a clean file), lengths, sample rate, options', tags: ['jobs'], params: idParams, response: { 200: openObject, '4xx': { $ref: 'Error#' } } },
  }, async (request) => (await doneJob(request)).report as Record<string, unknown>);
}
