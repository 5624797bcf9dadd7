/**
 * The dashboard's view of the service: same-origin fetch with the JWT as a Bearer header, errors as ApiFailure
 * carrying the service's error code (or NETWORK when nothing answered), so the pages can tell "log in again" from
 * "the service is down". The token lives in sessionStorage: it survives a reload, not the browser tab.
 */
import type { SessionAnalysis } from '@antiphase/engine';
import type { ClientNoiseEvent, DashboardTick, SessionSummary } from '@antiphase/server';

/** SessionStats.analysis (docs/protocol.md, "Session analysis"): the engine's own type, as the API sends it. */
export type { SessionAnalysis };

export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const TOKEN_KEY = 'antiphase.token';

export const auth = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value: string | null) {
    if (value === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, value);
  },
};

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiFailure(0, 'NETWORK', 'The Antiphase service cannot be reached. Is it running?');
  }
  const payload = (response.headers.get('content-type') ?? '').includes('json') ? await response.json() as unknown : null;
  if (!response.ok) {
    const error = (payload as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiFailure(response.status, error?.code ?? 'HTTP_' + response.status, error?.message ?? `${method} ${path} answered ${response.status}`);
  }
  return payload as T;
}

/** What GET /api/v1/dashboard/stream pushes: the server's own types. */
export type { SessionSummary };
export type TickEvent = DashboardTick;
export type NoiseEvent = ClientNoiseEvent;

export interface StreamHandlers {
  snapshot(sessions: SessionSummary[]): void;
  tick(event: TickEvent): void;
  noise(event: NoiseEvent): void;
  /** The stream failed: 'auth' (token rejected) or 'network' (service down; EventSource keeps retrying). */
  failure(kind: 'auth' | 'network'): void;
}

/**
 * Opens the push channel. EventSource cannot send an Authorization header, so the token goes as ?access_token=
 * (the server accepts it on this route only). EventSource does not expose the HTTP status of a failed connect,
 * so on error one /auth/me call tells an invalid token (401) from an unreachable service.
 */
export function openDashboardStream(handlers: StreamHandlers): () => void {
  const source = new EventSource(`/api/v1/dashboard/stream?access_token=${encodeURIComponent(auth.token ?? '')}`);
  source.addEventListener('snapshot', (e) => handlers.snapshot((JSON.parse((e as MessageEvent<string>).data) as { sessions: SessionSummary[] }).sessions));
  source.addEventListener('sessions', (e) => handlers.tick(JSON.parse((e as MessageEvent<string>).data) as TickEvent));
  source.addEventListener('noise', (e) => handlers.noise(JSON.parse((e as MessageEvent<string>).data) as NoiseEvent));
  source.onerror = () => {
    void api('GET', '/auth/me').then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof ApiFailure && error.status === 401) {
          source.close();
          handlers.failure('auth');
        } else handlers.failure('network');
      },
    );
  };
  return () => source.close();
}
