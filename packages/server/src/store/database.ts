import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely'
import type { LogEvent } from 'kysely'
import SqliteDatabase from 'better-sqlite3'
import pg from 'pg'

export type DialectName = 'sqlite' | 'postgres'

/**
 * The database handle every layer above receives. `kysely` is untyped (`any` tables) because the
 * tables are derived from the resource declarations at run time; store/ is the only place that
 * writes SQL.
 */
export interface Database {
  kysely: Kysely<any>
  dialect: DialectName
  /** Throws when the database cannot answer (used by /readyz and the 503 mapping). */
  ping(): Promise<void>
  close(): Promise<void>
  /** PostgreSQL pool figures for /metrics; null on SQLite. */
  poolStats(): { total: number, idle: number, waiting: number } | null
}

export interface OpenOptions {
  /** PostgreSQL pool size. */
  poolSize?: number
  /** Sees every query (the benchmarks use it to EXPLAIN the SQL a request ran). */
  log?: (event: LogEvent) => void
}

export function openDatabase (url: string, options: OpenOptions = {}): Database {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url, options)
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), options)
  throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got ${url.split(':')[0]}:…)`)
}

function openSqlite (path: string, options: OpenOptions): Database {
  const file = path === ':memory:' || path === '' ? ':memory:' : path
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const raw = new SqliteDatabase(file)
  // WAL for concurrent readers; synchronous=FULL so a 2xx write survives power loss too, not only a
  // process crash (SPEC §6).
  raw.pragma('journal_mode = WAL')
  raw.pragma('synchronous = FULL')
  raw.pragma('busy_timeout = 5000')
  raw.pragma('foreign_keys = ON')
  const kysely = new Kysely<any>({ dialect: new SqliteDialect({ database: raw }), ...(options.log ? { log: options.log } : {}) })
  return {
    kysely,
    dialect: 'sqlite',
    async ping () {
      await sql`select 1`.execute(kysely)
    },
    async close () {
      await kysely.destroy()
    },
    poolStats: () => null
  }
}

function openPostgres (url: string, options: OpenOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // Fail fast while the database is unreachable so callers get a 503, not a hang.
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000
  })
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {})
  const kysely = new Kysely<any>({ dialect: new PostgresDialect({ pool }), ...(options.log ? { log: options.log } : {}) })
  return {
    kysely,
    dialect: 'postgres',
    async ping () {
      await sql`select 1`.execute(kysely)
    },
    async close () {
      await kysely.destroy()
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount })
  }
}
