/**
 * ApiClient: the REST side of the service (/api/v1), on fetch, so it runs in Node ≥ 20 and in browsers alike.
 *
 * Error bodies are `{ "error": { "code", "message" } }` (packages/server's catalogue); every failure is an
 * ApiRequestError carrying the HTTP status and that code. login() and signUp() keep the token they receive, so
 * the calls that follow are authenticated (login, or signUp = register + login); an API key given to the constructor is sent the same way
 * (`Authorization: Bearer <key>`).
 */
import type { SessionConfig, SessionPatch } from './types.js';

export interface ApiClientOptions {
  /** The service, e.g. http://localhost:8080 (a trailing /api/v1 is accepted). */
  baseUrl: string;
  /** A JWT from an earlier login. */
  token?: string;
  /** An API key. */
  apiKey?: string;
  /** fetch to use (default the global one). */
  fetch?: typeof fetch;
  /** Per-request timeout, ms (default 10 000). */
  timeoutMs?: number;
}

export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  constructor(
    /** HTTP status; 0 when the request never got an answer (network error, timeout). */
    readonly status: number,
    /** The service's error code (e.g. FORBIDDEN, NOT_FOUND), or NETWORK / BAD_RESPONSE. */
    readonly code: string,
    message: string,
    readonly body: unknown = undefined,
  ) {
    super(message);
  }
}

export interface AuthResult {
  token: string;
  /** Whatever else the service returned (user id, email, role, expiry…). */
  [key: string]: unknown;
}

export interface ApiKeyResult {
  /** The key itself; shown once. */
  key: string;
  id?: string;
  [key: string]: unknown;
}

export interface SessionInfo {
  /** The session id (the service may call it `id` or `sessionId`; both are filled). */
  id: string;
  sessionId: string;
  [key: string]: unknown;
}

const API_PREFIX = '/api/v1';

export class ApiClient {
  readonly baseUrl: string;
  private credential: string | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: ApiClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol === 'ws:') url.protocol = 'http:';
    if (url.protocol === 'wss:') url.protocol = 'https:';
    const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1(\/stream)?$/, '');
    this.baseUrl = `${url.origin}${path}`;
    this.credential = options.token ?? options.apiKey;
    const fetchImpl = options.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (fetchImpl === undefined) throw new Error('no fetch in this runtime; pass options.fetch');
    this.fetchImpl = fetchImpl;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The credential requests carry (JWT or API key), if any. */
  get token(): string | undefined {
    return this.credential;
  }

  set token(value: string | undefined) {
    this.credential = value;
  }

  /** POST /auth/register: the new user (id, email, role…); a token, if the service returns one, is kept. */
  async register(email: string, password: string): Promise<Record<string, unknown>> {
    const result = await this.request<Record<string, unknown>>('POST', '/auth/register', { email, password });
    if (typeof result?.token === 'string') this.credential = result.token;
    return result;
  }

  /** register() then login(): a new account, authenticated. */
  async signUp(email: string, password: string): Promise<AuthResult> {
    await this.register(email, password);
    return this.login(email, password);
  }

  /** POST /auth/login; keeps the token. */
  async login(email: string, password: string): Promise<AuthResult> {
    const result = await this.request<AuthResult>('POST', '/auth/login', { email, password });
    return this.keepToken(result);
  }

  /** POST /api-keys. */
  async createApiKey(name = 'antiphase-client'): Promise<ApiKeyResult> {
    const result = await this.request<Record<string, unknown>>('POST', '/api-keys', { name });
    const key = result.key ?? result.apiKey ?? result.token;
    if (typeof key !== 'string') throw new ApiRequestError(200, 'BAD_RESPONSE', `POST /api-keys returned no key: ${JSON.stringify(result)}`, result);
    return { ...result, key };
  }

  /** POST /sessions. */
  async createSession(config: SessionConfig): Promise<SessionInfo> {
    return sessionInfo(await this.request<Record<string, unknown>>('POST', '/sessions', config));
  }

  /** GET /sessions/:id (config, phase and live stats as the service reports them). */
  async getSession(id: string): Promise<SessionInfo> {
    return sessionInfo(await this.request<Record<string, unknown>>('GET', `/sessions/${encodeURIComponent(id)}`));
  }

  /** PATCH /sessions/:id (algorithm, stepSize, intensity, enabled). */
  async patchSession(id: string, patch: SessionPatch): Promise<SessionInfo> {
    return sessionInfo(await this.request<Record<string, unknown>>('PATCH', `/sessions/${encodeURIComponent(id)}`, patch));
  }

  /** DELETE /sessions/:id: ends the session. */
  async endSession(id: string): Promise<unknown> {
    return this.request('DELETE', `/sessions/${encodeURIComponent(id)}`);
  }

  /** Any GET under /api/v1 (e.g. the service's info document). */
  async get<T = unknown>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** One request to /api/v1`path`; resolves with the parsed JSON body (undefined for 204). */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.credential !== undefined) headers.authorization = `Bearer ${this.credential}`;
    const url = `${this.baseUrl}${API_PREFIX}${path.startsWith('/') ? path : `/${path}`}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = controller.signal.aborted ? `no answer within ${this.timeoutMs} ms` : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new ApiRequestError(0, 'NETWORK', `${method} ${url}: ${detail}`);
    } finally {
      clearTimeout(timer);
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (response.ok) throw new ApiRequestError(response.status, 'BAD_RESPONSE', `${method} ${path}: the answer is not JSON`, text);
      }
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const code = typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`;
      const message = typeof error?.message === 'string' ? error.message : (text.slice(0, 200) || response.statusText);
      throw new ApiRequestError(response.status, code, `${method} ${path}: ${response.status} ${code}: ${message}`, parsed ?? text);
    }
    return parsed as T;
  }

  private keepToken(result: AuthResult): AuthResult {
    const token = (result as { token?: unknown; accessToken?: unknown }).token ?? (result as { accessToken?: unknown }).accessToken;
    if (typeof token !== 'string') throw new ApiRequestError(200, 'BAD_RESPONSE', `the service returned no token: ${JSON.stringify(result)}`, result);
    this.credential = token;
    return { ...result, token };
  }
}

function sessionInfo(value: Record<string, unknown>): SessionInfo {
  const nested = typeof value.session === 'object' && value.session !== null ? (value.session as Record<string, unknown>) : {};
  const id = value.sessionId ?? value.id ?? nested.sessionId ?? nested.id;
  if (typeof id !== 'string') throw new ApiRequestError(200, 'BAD_RESPONSE', `the service returned no session id: ${JSON.stringify(value)}`, value);
  return { ...value, id, sessionId: id };
}

/** A throwaway account: random address under example.invalid (RFC 2606), random password. */
export function throwawayCredentials(prefix = 'antiphase-client'): { email: string; password: string } {
  const random = (): string => Math.random().toString(36).slice(2, 10);
  const bytes = new Uint8Array(18);
  (globalThis.crypto as Crypto).getRandomValues(bytes);
  const password = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return { email: `${prefix}-${Date.now().toString(36)}-${random()}@example.invalid`, password };
}
