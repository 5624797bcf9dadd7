/**
 * Schema migrations, applied in order. Each has a number that never changes once released; a new change is a new
 * entry at the end (never edit an applied one). The runner (sqlite.ts) applies the pending ones in one
 * transaction and records each in schema_migrations, so a failed migration leaves the schema as it was.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users, api keys, sessions, metrics, noise events, jobs',
    sql: `
      CREATE TABLE users (
        id            TEXT PRIMARY KEY,
        email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role          TEXT NOT NULL CHECK (role IN ('user', 'admin')),
        created_at    TEXT NOT NULL
      );
      CREATE TABLE api_keys (
        id          TEXT PRIMARY KEY,
        user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name        TEXT NOT NULL,
        prefix      TEXT NOT NULL UNIQUE,
        key_hash    TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        revoked_at  TEXT
      );
      CREATE INDEX api_keys_user ON api_keys(user_id);
      CREATE TABLE sessions (
        id           TEXT PRIMARY KEY,
        user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        config       TEXT NOT NULL,
        phase        TEXT NOT NULL,
        transport    TEXT NOT NULL CHECK (transport IN ('rest', 'ws', 'grpc')),
        created_at   TEXT NOT NULL,
        ended_at     TEXT,
        final_stats  TEXT
      );
      CREATE INDEX sessions_user ON sessions(user_id, created_at);
      CREATE TABLE session_metrics (
        session_id         TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        t                  TEXT NOT NULL,
        nr_db              REAL NOT NULL,
        frames             INTEGER NOT NULL,
        late               INTEGER NOT NULL,
        lost               INTEGER NOT NULL,
        processing_us_p50  REAL NOT NULL,
        processing_us_p99  REAL NOT NULL
      );
      CREATE INDEX session_metrics_session ON session_metrics(session_id, t);
      CREATE TABLE noise_events (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        t           TEXT NOT NULL,
        type        TEXT NOT NULL,
        detail      TEXT NOT NULL
      );
      CREATE INDEX noise_events_session ON noise_events(session_id, t);
      CREATE TABLE jobs (
        id           TEXT PRIMARY KEY,
        user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
        created_at   TEXT NOT NULL,
        finished_at  TEXT,
        error        TEXT,
        input_paths  TEXT NOT NULL,
        options      TEXT NOT NULL,
        result_path  TEXT,
        report       TEXT
      );
      CREATE INDEX jobs_status ON jobs(status, created_at);
    `,
  },
  {
    version: 2,
    name: 'control-filter preset banks',
    sql: `
      CREATE TABLE preset_banks (
        id          TEXT PRIMARY KEY,
        user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        profile     TEXT NOT NULL,
        sample_rate INTEGER NOT NULL,
        taps        INTEGER NOT NULL,
        bank        TEXT NOT NULL,
        created_at  TEXT NOT NULL
      );
      CREATE INDEX preset_banks_user ON preset_banks(user_id, created_at);
    `,
  },
  {
    version: 3,
    name: 'sessions may use the webrtc transport',
    // SQLite cannot alter a CHECK constraint: the table is rebuilt (https://sqlite.org/lang_altertable.html,
    // "other kinds of table schema changes"); the runner turns foreign keys off around it, so session_metrics and
    // noise_events keep their rows, and checks them before committing.
    sql: `
      CREATE TABLE sessions_rebuilt (
        id           TEXT PRIMARY KEY,
        user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        config       TEXT NOT NULL,
        phase        TEXT NOT NULL,
        transport    TEXT NOT NULL CHECK (transport IN ('rest', 'ws', 'grpc', 'webrtc')),
        created_at   TEXT NOT NULL,
        ended_at     TEXT,
        final_stats  TEXT
      );
      INSERT INTO sessions_rebuilt (id, user_id, config, phase, transport, created_at, ended_at, final_stats)
        SELECT id, user_id, config, phase, transport, created_at, ended_at, final_stats FROM sessions;
      DROP TABLE sessions;
      ALTER TABLE sessions_rebuilt RENAME TO sessions;
      CREATE INDEX sessions_user ON sessions(user_id, created_at);
    `,
  },
];
