import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CompiledQuery } from 'kysely'
import type { CompiledQuery as Compiled } from 'kysely'
import { buildApp } from '../packages/server/src/app.ts'
import { openDatabase } from '../packages/server/src/store/database.ts'
import type { DialectName } from '../packages/server/src/store/database.ts'
import { migrate } from '../packages/server/src/store/migrations.ts'
import { signToken } from '../packages/server/src/http/auth.ts'
import { ALL_SCOPES } from '../packages/server/src/records/caller.ts'
import { analyze, seedDatabase } from './seeder.ts'
import { COMMON_WORD, RARE_WORD } from './seed-data.ts'
import { createPostgresDatabase } from './postgres.ts'
import { machineInfo, writeSection } from './report.ts'

// Lists at scale (issue 4): one tenant with 10k and with 1M vulnerabilities, on each backend. Each
// list request runs through the whole app (auth, parsing, SQL, serialization; app.inject, so no
// TCP) one at a time; then the SQL that request ran is EXPLAINed. Target: at 1M, each p99 within
// 2× of its 10k figure and under 50 ms.

const SECRET = 'bench-secret-that-is-long-enough-for-hs256!'
const LIST = '/api/v1/vulnerabilities'
const REPEAT = 200
/** Walking to the deep page stops after this long (at 1M records it is a long walk). */
const WALK_BUDGET_MS = 90_000

interface Measured { name: string, p50: number, p99: number, rows: number, note: string, plan: string }

const SCENARIOS = [
  { name: 'first page, status=open & severity=critical', query: 'status=open&severity=critical' },
  { name: 'deep page through a cursor', query: 'deep' },
  { name: `search, rare word (${RARE_WORD})`, query: `search=${RARE_WORD}` },
  { name: `search, common word (${COMMON_WORD})`, query: `search=${COMMON_WORD}` }
]

function percentile (values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
}

async function measureSize (dialect: DialectName, size: number, log: (line: string) => void): Promise<Measured[]> {
  const pg = dialect === 'postgres' ? await createPostgresDatabase('posture_scale') : null
  const dir = pg ? null : mkdtempSync(join(tmpdir(), 'posture-scale-'))
  const url = pg ? pg.url : `sqlite:${join(dir!, 'scale.db')}`
  let capture: Compiled[] | null = null
  const database = openDatabase(url, { log: (event) => { if (event.level === 'query') capture?.push(event.query) } })
  try {
    await migrate(database)
    const seeded = await seedDatabase(database, { records: size, tenants: 1, risksPerTenant: 5, log })
    await analyze(database)
    log(`${dialect} ${size}: seeded in ${seeded.seconds.toFixed(0)} s`)
    const app = await buildApp({ database, auth: { jwtSecret: SECRET } })
    await app.ready()
    const token = await signToken(SECRET, { tenant: seeded.tenants[0]!, sub: 'scale', scope: ALL_SCOPES, ttlSeconds: 3600 })
    const get = async (path: string) => {
      const response = await app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${token}` } })
      if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${response.body}`)
      return response.json() as { data: unknown[], next_cursor: string | null }
    }
    const results: Measured[] = []
    for (const scenario of SCENARIOS) {
      let path = `${LIST}?${scenario.query}`
      let note = ''
      if (scenario.query === 'deep') {
        const started = Date.now()
        let cursor: string | null = null
        let seen = 0
        while (seen < size * 0.9 && Date.now() - started < WALK_BUDGET_MS) {
          const page = await get(`${LIST}?limit=200${cursor ? `&cursor=${cursor}` : ''}`)
          if (!page.next_cursor) break
          cursor = page.next_cursor
          seen += page.data.length
        }
        path = `${LIST}?cursor=${cursor}`
        note = `${seen.toLocaleString('en')} records in`
      }
      for (let i = 0; i < 20; i++) await get(path)
      const times: number[] = []
      let rows = 0
      for (let i = 0; i < REPEAT; i++) {
        const start = performance.now()
        rows = (await get(path)).data.length
        times.push(performance.now() - start)
      }
      capture = []
      await get(path)
      const queries: Compiled[] = capture
      capture = null
      const listSql = queries.filter((q) => /\blimit\b/i.test(q.sql)).sort((a, b) => b.sql.length - a.sql.length)[0]
      results.push({ name: scenario.name, p50: percentile(times, 0.5), p99: percentile(times, 0.99), rows, note, plan: listSql ? await explain(database, listSql) : '(no list query seen)' })
      log(`${dialect} ${size} ${scenario.name}: p50 ${results.at(-1)!.p50.toFixed(2)} ms, p99 ${results.at(-1)!.p99.toFixed(2)} ms, ${rows} rows ${note}`)
    }
    await app.close()
    return results
  } finally {
    await database.close()
    await pg?.drop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  }
}

async function explain (database: ReturnType<typeof openDatabase>, query: Compiled): Promise<string> {
  if (database.dialect === 'postgres') {
    const result = await database.kysely.executeQuery(CompiledQuery.raw(`explain (analyze, buffers, costs off) ${query.sql}`, [...query.parameters]))
    return (result.rows as Array<Record<string, string>>).map((r) => r['QUERY PLAN']).join('\n')
  }
  const result = await database.kysely.executeQuery(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]))
  return (result.rows as Array<{ id: number, parent: number, detail: string }>).map((r) => `${r.parent === 0 ? '' : '  '}${r.detail}`).join('\n')
}

export async function runScale (options: { sizes: number[], dialects: DialectName[], write: boolean }): Promise<void> {
  const log = (line: string) => console.log(line)
  for (const dialect of options.dialects) {
    const bySize = new Map<number, Measured[]>()
    for (const size of options.sizes) bySize.set(size, await measureSize(dialect, size, log))
    const [small, large] = [options.sizes[0]!, options.sizes[options.sizes.length - 1]!]
    const lines = [
      `| scenario | ${small.toLocaleString('en')}: p50 / p99 ms | ${large.toLocaleString('en')}: p50 / p99 ms | p99 ratio | target (≤ 2×, < 50 ms) |`,
      '| --- | ---: | ---: | ---: | --- |'
    ]
    SCENARIOS.forEach((scenario, i) => {
      const a = bySize.get(small)![i]!
      const b = bySize.get(large)![i]!
      const ratio = b.p99 / a.p99
      const met = ratio <= 2 && b.p99 < 50 ? 'met' : 'not met'
      lines.push(`| ${scenario.name}${b.note ? ` (${b.note} at ${large.toLocaleString('en')})` : ''} | ${a.p50.toFixed(2)} / ${a.p99.toFixed(2)} (${a.rows} rows) | ${b.p50.toFixed(2)} / ${b.p99.toFixed(2)} (${b.rows} rows) | ${ratio.toFixed(2)}× | ${met} |`)
    })
    const table = lines.join('\n')
    console.log(table)
    if (!options.write) continue
    const plans = SCENARIOS.map((scenario, i) => [
      `<details><summary>${scenario.name} — plans</summary>`, '',
      ...options.sizes.map((size) => `${size.toLocaleString('en')} records:\n\n\`\`\`\n${bySize.get(size)![i]!.plan}\n\`\`\`\n`),
      '</details>'
    ].join('\n')).join('\n\n')
    const dbUrl = dialect === 'postgres' ? (await createPostgresDatabase('posture_info')) : null
    const info = await machineInfo(dbUrl ? dbUrl.url : 'sqlite::memory:')
    await dbUrl?.drop()
    writeSection(`scale-${dialect}`, [`Last run: ${new Date().toISOString()} — ${info}. ${REPEAT} sequential requests per row after 20 warm-up requests, one tenant holding all records.`, '', table, '', plans].join('\n'))
  }
}
