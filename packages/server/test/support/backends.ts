import { randomBytes } from 'node:crypto'
import pg from 'pg'

// The behavioural suites run once per storage backend. SQLite is always there; PostgreSQL is the
// server this machine runs (POSTURE_TEST_POSTGRES_URL, default the local trust-auth server), in a
// database of its own that the suite creates and drops. With POSTURE_REQUIRE_POSTGRES=1 (CI) an
// unreachable PostgreSQL fails the run instead of skipping.

export interface Backend {
  name: 'sqlite' | 'postgres'
  /** Creates a fresh, empty database and returns its URL and a function that drops it. */
  create(): Promise<{ url: string, drop(): Promise<void> }>
  /** Set when the backend cannot run here (then the suite is skipped with this reason). */
  skip?: string
}

export const POSTGRES_ADMIN_URL = process.env.POSTURE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const REQUIRE_POSTGRES = process.env.POSTURE_REQUIRE_POSTGRES === '1'

async function postgresReachable (): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('select 1')
    return null
  } catch (error) {
    return (error as Error).message
  } finally {
    await client.end().catch(() => {})
  }
}

export async function postgresDatabase (): Promise<{ url: string, drop(): Promise<void> }> {
  const name = `posture_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  await admin.connect()
  try {
    await admin.query(`create database ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop () {
      const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
      await c.connect()
      try {
        await c.query(`drop database if exists ${name} with (force)`)
      } finally {
        await c.end()
      }
    }
  }
}

let cached: Backend[] | null = null

export async function testBackends (): Promise<Backend[]> {
  if (cached) return cached
  const sqlite: Backend = {
    name: 'sqlite',
    create: async () => ({ url: 'sqlite::memory:', drop: async () => {} })
  }
  const unreachable = await postgresReachable()
  if (unreachable && REQUIRE_POSTGRES) {
    throw new Error(`POSTURE_REQUIRE_POSTGRES=1 but PostgreSQL at ${POSTGRES_ADMIN_URL} is unreachable: ${unreachable}`)
  }
  if (unreachable) console.warn(`\n*** PostgreSQL suite SKIPPED: ${POSTGRES_ADMIN_URL} unreachable (${unreachable}) ***\n`)
  const postgres: Backend = {
    name: 'postgres',
    create: postgresDatabase,
    ...(unreachable ? { skip: `PostgreSQL unreachable: ${unreachable}` } : {})
  }
  cached = [sqlite, postgres]
  return cached
}
