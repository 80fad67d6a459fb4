import { createHash } from 'node:crypto'
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
    idleTimeoutMillis: 30_000,
    // Prepared statements (below) keep their parse, but each execution is still planned for its
    // own values: a search for a rare word and for a common one need different plans.
    options: '-c plan_cache_mode=force_custom_plan'
  })
  // A client losing its connection (database stopped or restarted) must not crash the process:
  // idle ones report through the pool, checked-out ones (e.g. between two statements of a
  // transaction) through their own 'error' event. Their pending query fails (→ 503) and the pool
  // discards them on release.
  pool.on('error', () => {})
  pool.on('connect', (client) => {
    client.on('error', () => {})
    prepareStatements(client)
  })
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

/** Statements prepared per connection at most; past it, statements go unnamed (parsed each time). */
const MAX_PREPARED = 256

/**
 * Every parameterised statement runs as a named prepared statement, named by a hash of its text:
 * a list page's SQL is several kilobytes that would otherwise be sent and parsed on every request
 * (the list-path profile in docs/BENCHMARKS.md). Kysely compiles the same text for the same query
 * shape, with the values as parameters, so the shapes a server sees are few.
 */
function prepareStatements (client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown
  const names = new Map<string, string>()
  ;(client as unknown as { query: (...args: unknown[]) => unknown }).query = (text: unknown, values?: unknown, callback?: unknown) => {
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && callback === undefined) {
      let name = names.get(text)
      if (name === undefined && names.size < MAX_PREPARED) {
        name = `k_${createHash('sha1').update(text).digest('base64url')}`
        names.set(text, name)
      }
      if (name !== undefined) return query({ name, text, values })
    }
    return query(text, values, callback)
  }
}
