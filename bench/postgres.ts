import { randomBytes } from 'node:crypto'
import pg from 'pg'

// Benchmarks run in a PostgreSQL database of their own, created fresh and dropped afterwards.
export const POSTGRES_ADMIN_URL = process.env.POSTURE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

async function admin (statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

export async function createPostgresDatabase (prefix: string): Promise<{ url: string, drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`
  await admin(`create database ${name}`)
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  return { url: url.toString(), drop: async () => await admin(`drop database if exists ${name} with (force)`) }
}
