import { readFileSync } from 'node:fs'
import pg from 'pg'
import SqliteDatabase from 'better-sqlite3'
import { columnFields, vulnerability } from '../packages/server/src/resources/index.ts'
import { encodeRow, ruled } from './seeder.ts'
import { random, vulnerabilityInput } from './seed-data.ts'
import type { LoadResult } from './load.ts'

// The raw floor: the same queries through the database driver alone, no HTTP, no auth, no
// validation, no serialization — what the API is compared with. PostgreSQL: `connections` loops
// over a pg.Pool, each row parsed into an object by the driver (a naive driver loop). SQLite: the
// synchronous better-sqlite3 call in a loop; its per-call time is how long the service's event
// loop is blocked by that query.

export type RawKind = 'list' | 'get' | 'create'

export interface RawScenario {
  databaseUrl: string
  kind: RawKind
  /** Per tenant: its id and some of its vulnerability ids. */
  tenants: Array<{ tenant: string, ids: string[] }>
  connections: number
  poolSize: number
  seconds: number
  warmupSeconds: number
}

const COLUMNS = [...columnFields(vulnerability).map((f) => f.name), 'version']

export const RAW_SQL = {
  list: 'select * from vulnerabilities where tenant_id = $1 and is_deleted = false and severity = $2 order by created_at desc, id desc limit 51',
  get: 'select * from vulnerabilities where id = $1 and tenant_id = $2',
  create: `insert into vulnerabilities (${COLUMNS.map((c) => `"${c}"`).join(', ')}) values (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`
}

function percentile (sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!
}

function params (scenario: RawScenario, rng: () => number, dialect: 'postgres' | 'sqlite'): unknown[] {
  const t = scenario.tenants[Math.floor(rng() * scenario.tenants.length)]!
  if (scenario.kind === 'list') return [t.tenant, dialect === 'sqlite' ? 'high' : 'high']
  if (scenario.kind === 'get') return [t.ids[Math.floor(rng() * t.ids.length)], t.tenant]
  const now = Date.now()
  return encodeRow(vulnerability, ruled(vulnerability, vulnerabilityInput(rng, now), t.tenant, now, 'vul'), dialect)
}

export async function runRaw (scenario: RawScenario): Promise<LoadResult & { meanMs: number, cpuUs: number }> {
  const rng = random(5)
  if (scenario.databaseUrl.startsWith('sqlite:')) return runSqlite(scenario, rng)
  const pool = new pg.Pool({ connectionString: scenario.databaseUrl, max: scenario.poolSize })
  const text = RAW_SQL[scenario.kind]
  const run = async (until: number, latencies: number[] | null) => {
    while (performance.now() < until) {
      const start = performance.now()
      await pool.query(text, params(scenario, rng, 'postgres'))
      latencies?.push(performance.now() - start)
    }
  }
  const loops = (until: number, latencies: number[] | null) => Promise.all(Array.from({ length: scenario.connections }, () => run(until, latencies)))
  await loops(performance.now() + scenario.warmupSeconds * 1000, null)
  const latencies: number[] = []
  const cpu = process.cpuUsage()
  const started = performance.now()
  await loops(started + scenario.seconds * 1000, latencies)
  const elapsed = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  await pool.end()
  return { ...summarize(latencies, elapsed), cpuUs: (used.user + used.system) / Math.max(1, latencies.length) }
}

function runSqlite (scenario: RawScenario, rng: () => number): LoadResult & { meanMs: number, cpuUs: number } {
  const db = new SqliteDatabase(scenario.databaseUrl.slice('sqlite:'.length))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  const statement = db.prepare(RAW_SQL[scenario.kind].replace(/\$\d+/g, '?').replace('is_deleted = false', 'is_deleted = 0'))
  const once = () => {
    const args = params(scenario, rng, 'sqlite')
    if (scenario.kind === 'create') statement.run(...args)
    else if (scenario.kind === 'list') statement.all(...args)
    else statement.get(...args)
  }
  const warmEnd = performance.now() + scenario.warmupSeconds * 1000
  while (performance.now() < warmEnd) once()
  const latencies: number[] = []
  const started = performance.now()
  const until = started + scenario.seconds * 1000
  while (performance.now() < until) {
    const start = performance.now()
    once()
    latencies.push(performance.now() - start)
  }
  const elapsed = (performance.now() - started) / 1000
  db.close()
  const summary = summarize(latencies, elapsed)
  return { ...summary, cpuUs: summary.meanMs * 1000 }
}

function summarize (latencies: number[], seconds: number): LoadResult & { meanMs: number } {
  const sorted = Float64Array.from(latencies).sort()
  return {
    rps: latencies.length / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    meanMs: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    requests: latencies.length,
    non2xx: 0,
    errors: 0,
    bytesPerResponse: 0
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const scenario = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as RawScenario
  console.log(JSON.stringify(await runRaw(scenario)))
}
