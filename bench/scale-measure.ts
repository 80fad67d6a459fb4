import { pathToFileURL } from 'node:url'
import { CompiledQuery } from 'kysely'
import type { CompiledQuery as Compiled } from 'kysely'
import { buildApp } from '../packages/server/src/app.ts'
import { openDatabase } from '../packages/server/src/store/database.ts'
import type { Database } from '../packages/server/src/store/database.ts'
import { migrate } from '../packages/server/src/store/migrations.ts'
import { signToken } from '../packages/server/src/http/auth.ts'
import { ALL_SCOPES } from '../packages/server/src/records/caller.ts'
import { COMMON_WORD, RARE_WORD } from './seed-data.ts'

// The list-at-scale measurements (bench/scale.ts) over one seeded database, each step in a
// process of its own (bench/scale.ts spawns them): finding the deep page's cursor, then the
// measurements; each prints progress lines, then its result as one JSON line. Each list request runs through the whole app (auth, parsing, SQL,
// serialization; app.inject, so no TCP) one at a time; then the SQL that request ran is EXPLAINed.

const SECRET = 'bench-secret-that-is-long-enough-for-hs256!'
const LIST = '/api/v1/vulnerabilities'
/** Requests per scenario (after 50 warm-up requests): the p99 is the 10th slowest. */
export const REPEAT = 1000
/** Walking to the deep page stops after this long (at 1M records it is a long walk). */
const WALK_BUDGET_MS = 90_000

export interface Measured { name: string, p50: number, p99: number, rows: number, note: string, plan: string }

export const SCENARIOS = [
  { name: 'first page, status=open & severity=critical', query: 'status=open&severity=critical' },
  { name: 'deep page through a cursor', query: 'deep' },
  { name: `search, rare word (${RARE_WORD})`, query: `search=${RARE_WORD}` },
  { name: `search, common word (${COMMON_WORD})`, query: `search=${COMMON_WORD}` }
]

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
}

/** The tenant holding the most vulnerabilities of the database, and how many. */
async function biggestTenant (database: Database): Promise<{ tenant: string, size: number }> {
  const { rows: [biggest] } = await database.kysely.executeQuery<{ tenant_id: string, n: number }>(CompiledQuery.raw(
    'select tenant_id, count(*) as n from vulnerabilities group by tenant_id order by count(*) desc limit 1'))
  if (!biggest) throw new Error('the database holds no vulnerabilities')
  return { tenant: biggest.tenant_id, size: Number(biggest.n) }
}

/** The app over `url`, and a GET as the biggest tenant. */
async function openApp (url: string, log?: (event: any) => void) {
  const database = openDatabase(url, log ? { log } : {})
  await migrate(database)
  const { tenant, size } = await biggestTenant(database)
  const app = await buildApp({ database, auth: { jwtSecret: SECRET } })
  await app.ready()
  const token = await signToken(SECRET, { tenant, sub: 'scale', scope: ALL_SCOPES, ttlSeconds: 3600 })
  const get = async (path: string) => {
    const response = await app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${token}` } })
    if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode} ${response.body}`)
    return response.json() as { data: unknown[], next_cursor: string | null }
  }
  return { database, size, get, close: async () => { await app.close(); await database.close() } }
}

/**
 * The cursor ~90% into the biggest tenant's records, found by walking with pages of 200. Run in
 * a process of its own: a walk over a million records leaves a heap whose collections would land
 * in the next measurements' p99s.
 */
export async function findDeepCursor (url: string): Promise<{ cursor: string, note: string }> {
  const { size, get, close } = await openApp(url)
  try {
    const started = Date.now()
    let cursor: string | null = null
    let seen = 0
    while (seen < size * 0.9 && Date.now() - started < WALK_BUDGET_MS) {
      const page = await get(`${LIST}?limit=200${cursor ? `&cursor=${cursor}` : ''}`)
      if (!page.next_cursor) break
      cursor = page.next_cursor
      seen += page.data.length
    }
    if (!cursor) throw new Error('no second page to start the deep page from')
    return { cursor, note: `${seen.toLocaleString('en')} records in` }
  } finally {
    await close()
  }
}

/** Measures every scenario on the tenant holding the most vulnerabilities of `url`. */
export async function measureDatabase (url: string, deep: { cursor: string, note: string }, log: (line: string) => void): Promise<Measured[]> {
  let capture: Compiled[] | null = null
  const { database, size, get, close } = await openApp(url, (event) => { if (event.level === 'query') capture?.push(event.query) })
  try {
    const results: Measured[] = []
    for (const scenario of SCENARIOS) {
      const path = scenario.query === 'deep' ? `${LIST}?cursor=${deep.cursor}` : `${LIST}?${scenario.query}`
      const note = scenario.query === 'deep' ? deep.note : ''
      for (let i = 0; i < 50; i++) await get(path)
      const times: number[] = []
      let rows = 0
      for (let i = 0; i < REPEAT; i++) {
        const start = performance.now()
        rows = (await get(path)).data.length
        times.push(performance.now() - start)
      }
      times.sort((a, b) => a - b)
      capture = []
      await get(path)
      const queries: Compiled[] = capture
      capture = null
      const plans: string[] = []
      for (const query of queries) plans.push(await explain(database, query))
      const measured = { name: scenario.name, p50: percentile(times, 0.5), p99: percentile(times, 0.99), rows, note, plan: plans.join('\n\n') }
      results.push(measured)
      log(`${database.dialect} ${size} ${scenario.name}: p50 ${measured.p50.toFixed(2)} ms, p99 ${measured.p99.toFixed(2)} ms, ${rows} rows ${note}`)
    }
    return results
  } finally {
    await close()
  }
}

/** The plan of one statement a request ran: PostgreSQL's with timings, SQLite's query plan. */
async function explain (database: Database, query: Compiled): Promise<string> {
  // The statement, with the record JSON expression (long, and the same in every statement) elided.
  const text = query.sql.replace(/(json_build_object|json_object)\(.*?\)((::text)? as "__json")/s, '$1(…)$2').replace(/\s+/g, ' ')
  if (database.dialect === 'postgres') {
    const result = await database.kysely.executeQuery(CompiledQuery.raw(`explain (analyze, buffers, costs off) ${query.sql}`, [...query.parameters]))
    return `-- ${text}\n${(result.rows as Array<Record<string, string>>).map((r) => r['QUERY PLAN']).join('\n')}`
  }
  const result = await database.kysely.executeQuery(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]))
  return `-- ${text}\n${(result.rows as Array<{ id: number, parent: number, detail: string }>).map((r) => `${r.parent === 0 ? '' : '  '}${r.detail}`).join('\n')}`
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // bench/scale-measure.ts URL --find-deep → {"cursor","note"}; bench/scale-measure.ts URL CURSOR NOTE → Measured[]
  const [url, deepCursor, deepNote] = process.argv.slice(2)
  if (!url || !deepCursor) {
    console.error('Usage: node --import tsx bench/scale-measure.ts DATABASE_URL (--find-deep | CURSOR NOTE)')
    process.exit(1)
  }
  const result = deepCursor === '--find-deep'
    ? await findDeepCursor(url)
    : await measureDatabase(url, { cursor: deepCursor, note: deepNote ?? '' }, (line) => console.log(line))
  console.log(JSON.stringify(result))
}
