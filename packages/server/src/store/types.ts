/**
 * The durable store: users, API keys, session records and metrics, noise events and file jobs. SQLite
 * (better-sqlite3) is the default implementation; every method is async so that a PostgreSQL implementation (pg)
 * can implement the same interface unchanged. Timestamps are ISO-8601 strings (UTC); JSON columns are parsed.
 */

export type Role = 'user' | 'admin';

export interface UserRecord {
  id: string;
  email: string;
  /** argon2id PHC string; never leaves the server. */
  passwordHash: string;
  role: Role;
  createdAt: string;
}

export interface ApiKeyRecord {
  id: string;
  userId: string;
  name: string;
  /** Public part of the key (`ap_<prefix>_…`), used to find the row. */
  prefix: string;
  /** sha256 of the secret part, hex. */
  keyHash: string;
  createdAt: string;
  revokedAt: string | null;
}

export type SessionTransport = 'rest' | 'ws' | 'grpc' | 'webrtc';
/** Engine phases plus 'interrupted': the server stopped without ending the session (crash or kill). */
export type StoredPhase = 'identifying' | 'controlling' | 'disabled' | 'ended' | 'interrupted';

export interface SessionRecord {
  id: string;
  userId: string;
  config: unknown;
  phase: StoredPhase;
  transport: SessionTransport;
  createdAt: string;
  endedAt: string | null;
  /** The engine's final SessionStats (JSON) once ended. */
  finalStats: unknown;
}

export interface SessionMetricRecord {
  sessionId: string;
  t: string;
  nrDb: number;
  frames: number;
  late: number;
  lost: number;
  processingUsP50: number;
  processingUsP99: number;
}

export interface NoiseEventRecord {
  id: number;
  sessionId: string;
  t: string;
  type: string;
  detail: unknown;
}

/** A control-filter preset bank (presetBankToJson form in `bank`) for one device or room profile. */
export interface PresetBankRecord {
  id: string;
  userId: string;
  profile: string;
  sampleRate: number;
  taps: number;
  bank: unknown;
  createdAt: string;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface JobRecord {
  id: string;
  userId: string;
  status: JobStatus;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
  /** Absolute paths of the uploaded files. */
  inputPaths: { primary: string; reference: string; clean?: string };
  /** Options of the run (taps, stepSize, passes). */
  options: unknown;
  resultPath: string | null;
  report: unknown;
}

export interface Store {
  /** Applies pending migrations. Called once by the server before anything else. */
  migrate(): Promise<void>;
  /** Cheap round trip, for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;

  createUser(user: Omit<UserRecord, 'role'> & { role?: Role }): Promise<UserRecord>;
  /**
   * Creates a user whose role is 'admin' when no user exists yet, else 'user'; atomically, so two concurrent first
   * registrations cannot both become admin.
   */
  createUserFirstIsAdmin(user: Omit<UserRecord, 'role'>): Promise<UserRecord>;
  userByEmail(email: string): Promise<UserRecord | undefined>;
  userById(id: string): Promise<UserRecord | undefined>;
  countUsers(): Promise<number>;

  createApiKey(key: Omit<ApiKeyRecord, 'revokedAt'>): Promise<ApiKeyRecord>;
  apiKeyByPrefix(prefix: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(userId: string): Promise<ApiKeyRecord[]>;
  /** Sets revoked_at if the key belongs to userId and is not revoked; false when there is no such key. */
  revokeApiKey(userId: string, id: string, at: string): Promise<boolean>;

  createSession(session: Omit<SessionRecord, 'endedAt' | 'finalStats'>): Promise<void>;
  sessionById(id: string): Promise<SessionRecord | undefined>;
  /** userId undefined: every user's sessions (admin). Newest first. */
  listSessions(userId: string | undefined, limit: number): Promise<SessionRecord[]>;
  updateSession(id: string, fields: Partial<Pick<SessionRecord, 'phase' | 'config'>>): Promise<void>;
  endSession(id: string, endedAt: string, finalStats: unknown, phase?: StoredPhase): Promise<void>;
  /** Marks every session without ended_at as 'interrupted' (start-up after a crash); returns how many. */
  interruptOpenSessions(at: string): Promise<number>;

  appendSessionMetrics(rows: SessionMetricRecord[]): Promise<void>;
  sessionMetrics(sessionId: string, limit: number): Promise<SessionMetricRecord[]>;
  appendNoiseEvent(event: Omit<NoiseEventRecord, 'id'>): Promise<number>;
  noiseEvents(sessionId: string, limit: number): Promise<NoiseEventRecord[]>;

  createPresetBank(bank: PresetBankRecord): Promise<void>;
  presetBankById(id: string): Promise<PresetBankRecord | undefined>;
  /** userId undefined: every bank (start-up registration). Oldest first. */
  listPresetBanks(userId?: string): Promise<PresetBankRecord[]>;

  createJob(job: Omit<JobRecord, 'status' | 'finishedAt' | 'error' | 'resultPath' | 'report'>): Promise<JobRecord>;
  jobById(id: string): Promise<JobRecord | undefined>;
  listJobs(status: JobStatus): Promise<JobRecord[]>;
  setJobRunning(id: string): Promise<void>;
  finishJob(id: string, fields: { status: 'done' | 'failed'; finishedAt: string; error?: string | null; resultPath?: string | null; report?: unknown }): Promise<void>;
  /** Start-up: jobs left 'running' by a stopped server go back to 'queued'; returns how many. */
  requeueRunningJobs(): Promise<number>;
}
