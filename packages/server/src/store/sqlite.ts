/**
 * The default Store: one SQLite file via better-sqlite3, in WAL mode (readers never block the writer, and a crash
 * loses at most the transaction in flight). better-sqlite3 is synchronous; its calls take microseconds for these
 * row sizes and none of them runs per audio frame (metrics are appended in batches every few seconds).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations.js';
import type {
  ApiKeyRecord, JobRecord, JobStatus, NoiseEventRecord, PresetBankRecord, Role, SessionMetricRecord, SessionRecord, Store, StoredPhase, UserRecord,
} from './types.js';

type Row = Record<string, unknown>;

const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));
const parse = (text: unknown): unknown => (typeof text === 'string' ? JSON.parse(text) : null);

function toUser(row: Row): UserRecord {
  return {
    id: row.id as string, email: row.email as string, passwordHash: row.password_hash as string,
    role: row.role as Role, createdAt: row.created_at as string,
  };
}

function toApiKey(row: Row): ApiKeyRecord {
  return {
    id: row.id as string, userId: row.user_id as string, name: row.name as string, prefix: row.prefix as string,
    keyHash: row.key_hash as string, createdAt: row.created_at as string, revokedAt: (row.revoked_at as string | null) ?? null,
  };
}

function toSession(row: Row): SessionRecord {
  return {
    id: row.id as string, userId: row.user_id as string, config: parse(row.config), phase: row.phase as StoredPhase,
    transport: row.transport as SessionRecord['transport'], createdAt: row.created_at as string,
    endedAt: (row.ended_at as string | null) ?? null, finalStats: parse(row.final_stats),
  };
}

function toJob(row: Row): JobRecord {
  return {
    id: row.id as string, userId: row.user_id as string, status: row.status as JobStatus, createdAt: row.created_at as string,
    finishedAt: (row.finished_at as string | null) ?? null, error: (row.error as string | null) ?? null,
    inputPaths: parse(row.input_paths) as JobRecord['inputPaths'], options: parse(row.options),
    resultPath: (row.result_path as string | null) ?? null, report: parse(row.report),
  };
}

export interface SqliteStoreOptions {
  /** File path, or ':memory:'. */
  path: string;
  migrations?: readonly Migration[];
}

export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly migrations: readonly Migration[];
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL'); // safe with WAL: a power cut may lose the last commits, never corrupt
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrations = options.migrations ?? MIGRATIONS;
  }

  /** Versions applied so far, ascending. */
  appliedMigrations(): number[] {
    return (this.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
  }

  async migrate(): Promise<void> {
    this.db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const applied = new Set(this.appliedMigrations());
    const pending = [...this.migrations].sort((a, b) => a.version - b.version).filter((m) => !applied.has(m.version));
    if (pending.length === 0) return;
    const record = this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    // Foreign keys are off while migrations run (a pragma that cannot change inside a transaction), so that a
    // migration may rebuild a table others reference without cascading deletes; the check before commit proves
    // that nothing dangles afterwards.
    this.db.pragma('foreign_keys = OFF');
    try {
      this.db.transaction(() => {
        for (const migration of pending) {
          this.db.exec(migration.sql);
          record.run(migration.version, migration.name, new Date().toISOString());
        }
        const dangling = this.db.pragma('foreign_key_check') as unknown[];
        if (dangling.length > 0) throw new Error(`migrations left ${dangling.length} rows with dangling foreign keys: ${JSON.stringify(dangling.slice(0, 3))}`);
      })();
    } finally {
      this.db.pragma('foreign_keys = ON');
    }
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  // ---- users ----

  async createUser(user: Omit<UserRecord, 'role'> & { role?: Role }): Promise<UserRecord> {
    const record: UserRecord = { ...user, role: user.role ?? 'user' };
    this.db.prepare('INSERT INTO users (id, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(record.id, record.email, record.passwordHash, record.role, record.createdAt);
    return record;
  }

  async createUserFirstIsAdmin(user: Omit<UserRecord, 'role'>): Promise<UserRecord> {
    // IMMEDIATE takes the write lock before the count, so two first registrations cannot both see zero users.
    return this.db.transaction(() => {
      const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number };
      const record: UserRecord = { ...user, role: n === 0 ? 'admin' : 'user' };
      this.db.prepare('INSERT INTO users (id, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(record.id, record.email, record.passwordHash, record.role, record.createdAt);
      return record;
    }).immediate();
  }

  async userByEmail(email: string): Promise<UserRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM users WHERE email = ?').get(email) as Row | undefined;
    return row ? toUser(row) : undefined;
  }

  async userById(id: string): Promise<UserRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
    return row ? toUser(row) : undefined;
  }

  async countUsers(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  // ---- API keys ----

  async createApiKey(key: Omit<ApiKeyRecord, 'revokedAt'>): Promise<ApiKeyRecord> {
    this.db.prepare('INSERT INTO api_keys (id, user_id, name, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(key.id, key.userId, key.name, key.prefix, key.keyHash, key.createdAt);
    return { ...key, revokedAt: null };
  }

  async apiKeyByPrefix(prefix: string): Promise<ApiKeyRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM api_keys WHERE prefix = ?').get(prefix) as Row | undefined;
    return row ? toApiKey(row) : undefined;
  }

  async listApiKeys(userId: string): Promise<ApiKeyRecord[]> {
    return (this.db.prepare('SELECT * FROM api_keys WHERE user_id = ? ORDER BY created_at, id').all(userId) as Row[]).map(toApiKey);
  }

  async revokeApiKey(userId: string, id: string, at: string): Promise<boolean> {
    const row = this.db.prepare('SELECT revoked_at FROM api_keys WHERE id = ? AND user_id = ?').get(id, userId) as Row | undefined;
    if (!row) return false;
    if (row.revoked_at === null) this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(at, id);
    return true;
  }

  // ---- sessions ----

  async createSession(session: Omit<SessionRecord, 'endedAt' | 'finalStats'>): Promise<void> {
    this.db.prepare('INSERT INTO sessions (id, user_id, config, phase, transport, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(session.id, session.userId, JSON.stringify(session.config), session.phase, session.transport, session.createdAt);
  }

  async sessionById(id: string): Promise<SessionRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as Row | undefined;
    return row ? toSession(row) : undefined;
  }

  async listSessions(userId: string | undefined, limit: number): Promise<SessionRecord[]> {
    const rows = userId === undefined
      ? this.db.prepare('SELECT * FROM sessions ORDER BY created_at DESC, id LIMIT ?').all(limit)
      : this.db.prepare('SELECT * FROM sessions WHERE user_id = ? ORDER BY created_at DESC, id LIMIT ?').all(userId, limit);
    return (rows as Row[]).map(toSession);
  }

  async updateSession(id: string, fields: Partial<Pick<SessionRecord, 'phase' | 'config'>>): Promise<void> {
    if (fields.phase !== undefined) this.db.prepare('UPDATE sessions SET phase = ? WHERE id = ? AND ended_at IS NULL').run(fields.phase, id);
    if (fields.config !== undefined) this.db.prepare('UPDATE sessions SET config = ? WHERE id = ?').run(JSON.stringify(fields.config), id);
  }

  async endSession(id: string, endedAt: string, finalStats: unknown, phase: StoredPhase = 'ended'): Promise<void> {
    this.db.prepare('UPDATE sessions SET phase = ?, ended_at = ?, final_stats = ? WHERE id = ? AND ended_at IS NULL')
      .run(phase, endedAt, json(finalStats), id);
  }

  async interruptOpenSessions(at: string): Promise<number> {
    return this.db.prepare("UPDATE sessions SET phase = 'interrupted', ended_at = ? WHERE ended_at IS NULL").run(at).changes;
  }

  async appendSessionMetrics(rows: SessionMetricRecord[]): Promise<void> {
    if (rows.length === 0) return;
    const insert = this.db.prepare(`INSERT INTO session_metrics
      (session_id, t, nr_db, frames, late, lost, processing_us_p50, processing_us_p99) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.db.transaction(() => {
      for (const r of rows) insert.run(r.sessionId, r.t, r.nrDb, r.frames, r.late, r.lost, r.processingUsP50, r.processingUsP99);
    })();
  }

  async sessionMetrics(sessionId: string, limit: number): Promise<SessionMetricRecord[]> {
    const rows = this.db.prepare('SELECT * FROM (SELECT * FROM session_metrics WHERE session_id = ? ORDER BY t DESC LIMIT ?) ORDER BY t')
      .all(sessionId, limit) as Row[];
    return rows.map((r) => ({
      sessionId: r.session_id as string, t: r.t as string, nrDb: r.nr_db as number, frames: r.frames as number,
      late: r.late as number, lost: r.lost as number, processingUsP50: r.processing_us_p50 as number,
      processingUsP99: r.processing_us_p99 as number,
    }));
  }

  async appendNoiseEvent(event: Omit<NoiseEventRecord, 'id'>): Promise<number> {
    const info = this.db.prepare('INSERT INTO noise_events (session_id, t, type, detail) VALUES (?, ?, ?, ?)')
      .run(event.sessionId, event.t, event.type, JSON.stringify(event.detail ?? null));
    return Number(info.lastInsertRowid);
  }

  async noiseEvents(sessionId: string, limit: number): Promise<NoiseEventRecord[]> {
    const rows = this.db.prepare('SELECT * FROM noise_events WHERE session_id = ? ORDER BY t, id LIMIT ?').all(sessionId, limit) as Row[];
    return rows.map((r) => ({ id: r.id as number, sessionId: r.session_id as string, t: r.t as string, type: r.type as string, detail: parse(r.detail) }));
  }

  // ---- preset banks ----

  async createPresetBank(bank: PresetBankRecord): Promise<void> {
    this.db.prepare('INSERT INTO preset_banks (id, user_id, profile, sample_rate, taps, bank, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(bank.id, bank.userId, bank.profile, bank.sampleRate, bank.taps, JSON.stringify(bank.bank), bank.createdAt);
  }

  async presetBankById(id: string): Promise<PresetBankRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM preset_banks WHERE id = ?').get(id) as Row | undefined;
    return row ? toPresetBank(row) : undefined;
  }

  async listPresetBanks(userId?: string): Promise<PresetBankRecord[]> {
    const rows = userId === undefined
      ? this.db.prepare('SELECT * FROM preset_banks ORDER BY created_at, id').all()
      : this.db.prepare('SELECT * FROM preset_banks WHERE user_id = ? ORDER BY created_at, id').all(userId);
    return (rows as Row[]).map(toPresetBank);
  }

  // ---- jobs ----

  async createJob(job: Omit<JobRecord, 'status' | 'finishedAt' | 'error' | 'resultPath' | 'report'>): Promise<JobRecord> {
    this.db.prepare("INSERT INTO jobs (id, user_id, status, created_at, input_paths, options) VALUES (?, ?, 'queued', ?, ?, ?)")
      .run(job.id, job.userId, job.createdAt, JSON.stringify(job.inputPaths), JSON.stringify(job.options ?? {}));
    return { ...job, status: 'queued', finishedAt: null, error: null, resultPath: null, report: null };
  }

  async jobById(id: string): Promise<JobRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return row ? toJob(row) : undefined;
  }

  async listJobs(status: JobStatus): Promise<JobRecord[]> {
    return (this.db.prepare('SELECT * FROM jobs WHERE status = ? ORDER BY created_at, id').all(status) as Row[]).map(toJob);
  }

  async setJobRunning(id: string): Promise<void> {
    this.db.prepare("UPDATE jobs SET status = 'running' WHERE id = ?").run(id);
  }

  async finishJob(id: string, fields: { status: 'done' | 'failed'; finishedAt: string; error?: string | null; resultPath?: string | null; report?: unknown }): Promise<void> {
    this.db.prepare('UPDATE jobs SET status = ?, finished_at = ?, error = ?, result_path = ?, report = ? WHERE id = ?')
      .run(fields.status, fields.finishedAt, fields.error ?? null, fields.resultPath ?? null, json(fields.report), id);
  }

  async requeueRunningJobs(): Promise<number> {
    return this.db.prepare("UPDATE jobs SET status = 'queued' WHERE status = 'running'").run().changes;
  }
}

function toPresetBank(r: Row): PresetBankRecord {
  return {
    id: r.id as string, userId: r.user_id as string, profile: r.profile as string, sampleRate: r.sample_rate as number,
    taps: r.taps as number, bank: parse(r.bank), createdAt: r.created_at as string,
  };
}
