import { parseArgs } from 'node:util'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../packages/server/src/store/database.ts'
import { migrate } from '../packages/server/src/store/migrations.ts'
import { signToken } from '../packages/server/src/http/auth.ts'
import { ALL_SCOPES } from '../packages/server/src/records/caller.ts'
import { analyze, describeSeeded, seedDatabase } from './seeder.ts'
import type { SeedResult } from './seeder.ts'
import { cpuSeconds, runScript, startChild, waitForHttp, withPeakRss } from './processes.ts'
import type { LoadResult, LoadScenario } from './load.ts'
import type { RawKind, RawScenario } from './raw-floor.ts'
import { createPostgresDatabase } from './postgres.ts'
import { machineInfo, renderTable, writeSection } from './report.ts'
import type { Row } from './report.ts'
import { runScale } from './scale.ts'

// npm run bench [-- --sqlite] [--records N] [--tenants T] [--seconds S] [--connections C] [--scale]
// Seeds a fresh database, starts the service as a child process, drives it with autocannon from
// another process, measures the raw driver floor and a bare Fastify route, prints the table and
// writes it into docs/BENCHMARKS.md. `--scale` runs the list-at-scale measurements instead.

const { values } = parseArgs({
  options: {
    sqlite: { type: 'boolean', default: false },
    postgres: { type: 'boolean', default: false },
    scale: { type: 'boolean', default: false },
    records: { type: 'string', default: '100000' },
    tenants: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    pool: { type: 'string', default: '10' },
    port: { type: 'string', default: '8150' },
    only: { type: 'string' },
    /** Another build of the service (its dist/cli.js), to measure what a change bought. */
    server: { type: 'string', default: 'packages/server/dist/cli.js' },
    sizes: { type: 'string', default: '10000,1000000' },
    'no-write': { type: 'boolean', default: false },
    /** Reuse a database seeded earlier (npm run seed) instead of creating and seeding one. */
    'database-url': { type: 'string' }
  }
})

const SECRET = 'bench-secret-that-is-long-enough-for-hs256!'
const seconds = Number(values.seconds)
const warmupSeconds = Number(values.warmup)
const connections = Number(values.connections)
const poolSize = Number(values.pool)
const port = Number(values.port)
const dialect = values.sqlite ? 'sqlite' : 'postgres'

if (values.scale) {
  await runScale({
    sizes: values.sizes.split(',').map(Number),
    dialects: values.sqlite ? ['sqlite'] : values.postgres ? ['postgres'] : ['postgres', 'sqlite'],
    write: !values['no-write'],
    ...(values['database-url'] ? { databaseUrl: values['database-url'] } : {})
  })
  process.exit(0)
}

async function freshDatabase (): Promise<{ url: string, drop(): Promise<void> }> {
  if (dialect === 'postgres') return await createPostgresDatabase('posture_bench')
  return { url: `sqlite:${join(mkdtempSync(join(tmpdir(), 'posture-bench-db-')), 'bench.db')}`, drop: async () => {} }
}

const given = values['database-url']
const db = given ? { url: given, drop: async () => {} } : await freshDatabase()
const rows: Row[] = []
try {
  const database = openDatabase(db.url)
  // A database given to reuse is left at its own schema version: the service under test migrates it.
  if (!given) await migrate(database)
  const seeded: SeedResult = given
    ? await describeSeeded(database)
    : await seedDatabase(database, { records: Number(values.records), tenants: Number(values.tenants) })
  await analyze(database)
  await database.close()
  console.log(`seeded ${seeded.vulnerabilities} vulnerabilities, ${seeded.controls} controls, ${seeded.risks} risks over ${seeded.tenants.length} tenants in ${seeded.seconds.toFixed(1)} s`)

  const server = startChild([values.server, 'serve'], {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    JWT_SECRET: SECRET,
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: String(poolSize),
    NODE_ENV: 'production',
    // The per-tenant rate limit (SPEC §5, 429) would cap every scenario; the bench measures the rest.
    RATE_LIMIT_PER_SECOND: '0'
  })
  const base = `http://127.0.0.1:${port}`
  try {
    await waitForHttp(`${base}/healthz`, server)
    const tenants = seeded.tenants.slice(0, 5)
    const tokens = await Promise.all(tenants.map(async (tenant, i) => await signToken(SECRET, { tenant, sub: `bench-user-${i}`, scope: ALL_SCOPES, ttlSeconds: 3600 })))
    const callers = (paths: (tenant: string, i: number) => string[] | Promise<string[]>) =>
      Promise.all(tenants.map(async (tenant, i) => ({ token: tokens[i]!, paths: await paths(tenant, i) })))
    const ids = (tenant: string) => seeded.sampleIds[tenant]!
    const list = '/api/v1/vulnerabilities'

    // A deep page: the cursor after ~90% of a tenant's records, found by walking with big pages.
    const perTenant = Math.floor(seeded.vulnerabilities / seeded.tenants.length)
    const deepCursor = async (token: string): Promise<string> => {
      let cursor: string | null = null
      for (let seen = 0; seen < perTenant * 0.9;) {
        const response = await fetch(`${base}${list}?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${token}` } })
        const page = await response.json() as { data: unknown[], next_cursor: string | null }
        if (!page.next_cursor) break
        cursor = page.next_cursor
        seen += page.data.length
      }
      if (!cursor) throw new Error('the deep walk found no second page')
      return cursor
    }

    const scenarios: Array<{ name: string, method: LoadScenario['method'], body: LoadScenario['body'], floor: RawKind | null, callers: LoadScenario['callers'] }> = [
      { name: 'list (severity=high, newest first, 50)', method: 'GET', body: 'none', floor: 'list', callers: await callers(() => [`${list}?severity=high`]) },
      { name: 'get by id', method: 'GET', body: 'none', floor: 'get', callers: await callers((t) => ids(t).map((id) => `${list}/${id}`)) },
      { name: 'create (with history)', method: 'POST', body: 'vulnerability', floor: 'create', callers: await callers(() => [list]) },
      { name: 'PATCH (with history)', method: 'PATCH', body: 'patch', floor: null, callers: await callers((t) => ids(t).slice(500).map((id) => `${list}/${id}`)) },
      { name: 'search (search=nginx)', method: 'GET', body: 'none', floor: null, callers: await callers(() => [`${list}?search=nginx`]) },
      { name: 'deep cursor page (~90% in)', method: 'GET', body: 'none', floor: null, callers: await callers(async (_t, i) => [`${list}?cursor=${await deepCursor(tokens[i]!)}`]) }
    ]
    const only = values.only?.split(',')
    const floors: Partial<Record<RawKind, LoadResult & { cpuUs: number }>> = {}
    const rawTenants = tenants.map((tenant) => ({ tenant, ids: ids(tenant) }))
    for (const kind of ['list', 'get', 'create'] as const) {
      if (only && !only.includes(kind)) continue
      const raw: RawScenario = { databaseUrl: db.url, kind, tenants: rawTenants, connections, poolSize: connections, seconds, warmupSeconds }
      floors[kind] = await runScript<LoadResult & { cpuUs: number }>('bench/raw-floor.ts', raw)
      console.log(`raw ${kind}: ${floors[kind]!.rps.toFixed(0)} req/s`)
    }

    const sizes: Record<string, number> = {}
    for (const scenario of scenarios) {
      const key = scenario.name.split(' ')[0]!.toLowerCase()
      if (only && !only.includes(key)) continue
      const load: LoadScenario = { url: base, method: scenario.method, callers: scenario.callers, body: scenario.body, connections, seconds, warmupSeconds: 0 }
      if (warmupSeconds > 0) await runScript<LoadResult>('bench/load.ts', { ...load, seconds: warmupSeconds })
      const cpuBefore = cpuSeconds(server.process.pid!)
      const { result, peakMb } = await withPeakRss(server.process.pid!, async () => await runScript<LoadResult>('bench/load.ts', load))
      const cpuAfter = cpuSeconds(server.process.pid!)
      sizes[key] = result.bytesPerResponse
      const floor = scenario.floor ? floors[scenario.floor] : undefined
      const cpuUs = cpuBefore !== null && cpuAfter !== null && result.requests > 0 ? ((cpuAfter - cpuBefore) * 1e6) / result.requests : null
      rows.push({ scenario: scenario.name, ...result, rssMb: peakMb, floorRps: floor?.rps ?? null, cpuUs, floorCpuUs: floor?.cpuUs ?? null })
      console.log(`${scenario.name}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99} ms, RSS ${peakMb?.toFixed(0)} MB`)
    }
    // The HTTP floor: Fastify alone returning a body the size of the list page and of one record.
    for (const [key, label] of [['list', 'bare Fastify, list-sized body'], ['get', 'bare Fastify, record-sized body']] as const) {
      if (!sizes[key]) continue
      const bare = startChild(['--import', 'tsx', 'bench/bare-server.ts', String(port + 1), String(sizes[key])])
      try {
        await waitForHttp(`http://127.0.0.1:${port + 1}/bare`, bare)
        const load: LoadScenario = { url: `http://127.0.0.1:${port + 1}`, method: 'GET', callers: [{ token: 'none', paths: ['/bare'] }], body: 'none', connections, seconds, warmupSeconds }
        const { result, peakMb } = await withPeakRss(bare.process.pid!, async () => await runScript<LoadResult>('bench/load.ts', load))
        rows.push({ scenario: label, ...result, rssMb: peakMb, floorRps: null, cpuUs: null, floorCpuUs: null })
      } finally {
        await bare.stop()
      }
    }
    for (const [kind, floor] of Object.entries(floors)) {
      rows.push({ scenario: `raw driver floor: ${kind}${dialect === 'postgres' ? ` (pg, ${connections} loops)` : ' (better-sqlite3 loop)'}`, ...floor, rssMb: null, floorRps: null, floorCpuUs: null })
    }
    const table = renderTable(rows)
    console.log(`\n${table}`)
    if (!values['no-write']) {
      const info = await machineInfo(db.url)
      writeSection(dialect, [
        `Last run: ${new Date().toISOString()} — ${info}`,
        `Data: ${seeded.vulnerabilities.toLocaleString('en')} vulnerabilities over ${seeded.tenants.length} tenants, ${seeded.controls.toLocaleString('en')} compliance controls, ${seeded.risks.toLocaleString('en')} risk items (with links), ${seeded.historyRows.toLocaleString('en')} history rows. ` +
          `Load: autocannon, ${connections} connections, ${seconds} s per scenario after ${warmupSeconds} s warm-up, tokens of ${tenants.length} tenants. Service: ${dialect === 'postgres' ? `pool of ${poolSize}, ` : ''}LOG_LEVEL=warn, RATE_LIMIT_PER_SECOND=0.`,
        '',
        table
      ].join('\n'))
      console.log(`wrote docs/BENCHMARKS.md (${dialect})`)
    }
  } finally {
    await server.stop()
  }
} finally {
  await db.drop()
}
