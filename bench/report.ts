import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import SqliteDatabase from 'better-sqlite3'
import type { LoadResult } from './load.ts'

// The benchmark's table, the machine it ran on, and docs/BENCHMARKS.md: each run replaces only its
// own marked section, so the hand-written analysis around the tables stays.

export const BENCHMARKS_MD = 'docs/BENCHMARKS.md'

export interface Row extends LoadResult {
  scenario: string
  rssMb: number | null
  floorRps: number | null
  /** Server (or driver-loop) CPU time per request, µs: steadier than req/s on a shared machine. */
  cpuUs: number | null
  floorCpuUs: number | null
}

const fmt = (n: number | null | undefined, digits = 0) => (n === null || n === undefined ? '—' : n.toFixed(digits))

export function renderTable (rows: readonly Row[]): string {
  const lines = [
    '| scenario | req/s | p50 ms | p99 ms | server RSS MB | CPU µs/req | raw floor req/s | ratio to floor | floor CPU µs/req | non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
  ]
  for (const r of rows) {
    const ratio = r.floorRps ? `${(r.rps / r.floorRps).toFixed(2)}×` : '—'
    lines.push(`| ${r.scenario} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.rssMb)} | ${fmt(r.cpuUs)} | ${fmt(r.floorRps)} | ${ratio} | ${fmt(r.floorCpuUs)} | ${r.non2xx + r.errors} |`)
  }
  return lines.join('\n')
}

function version (name: string): string {
  // Read the installed package.json directly: some packages (kysely) do not export it.
  for (const root of ['node_modules', 'packages/server/node_modules']) {
    const file = join(root, name, 'package.json')
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
  }
  return '?'
}

export async function machineInfo (databaseUrl: string): Promise<string> {
  const cpu = cpus()
  let dbVersion: string
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new SqliteDatabase(':memory:')
    dbVersion = `SQLite ${(db.prepare('select sqlite_version() as v').get() as { v: string }).v} (better-sqlite3 ${version('better-sqlite3')})`
    db.close()
  } else {
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    dbVersion = `PostgreSQL ${(await client.query('show server_version')).rows[0].server_version} (pg ${version('pg')})`
    await client.end()
  }
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node.js ${process.version}, ` +
    `Fastify ${version('fastify')}, Kysely ${version('kysely')}, ${dbVersion}, autocannon ${version('autocannon')}`
}

/** Replaces the section between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, or appends it. */
export function writeSection (name: string, body: string): void {
  const start = `<!-- bench:${name} -->`
  const end = `<!-- /bench:${name} -->`
  const current = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : '# Benchmarks\n'
  const block = `${start}\n${body}\n${end}`
  const from = current.indexOf(start)
  const to = current.indexOf(end)
  const next = from >= 0 && to > from ? current.slice(0, from) + block + current.slice(to + end.length) : `${current.trimEnd()}\n\n${block}\n`
  writeFileSync(BENCHMARKS_MD, next)
}
