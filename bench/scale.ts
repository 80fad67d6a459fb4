import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { openDatabase } from '../packages/server/src/store/database.ts'
import type { DialectName } from '../packages/server/src/store/database.ts'
import { migrate } from '../packages/server/src/store/migrations.ts'
import { analyze, seedDatabase } from './seeder.ts'
import { REPEAT, SCENARIOS } from './scale-measure.ts'
import type { Measured } from './scale-measure.ts'
import { createPostgresDatabase } from './postgres.ts'
import { machineInfo, writeSection } from './report.ts'

// Lists at scale (issue 4): one tenant with 10k and with 1M vulnerabilities, on each backend,
// each seeded here and measured by bench/scale-measure.ts in a process of its own. Target: at 1M,
// each p99 within 2× of its 10k figure and under 50 ms.

/** Seeds a fresh database of `size` records in one tenant, then measures it in a fresh process. */
async function measureSize (dialect: DialectName, size: number, log: (line: string) => void): Promise<Measured[]> {
  const pg = dialect === 'postgres' ? await createPostgresDatabase('posture_scale') : null
  const dir = pg ? null : mkdtempSync(join(tmpdir(), 'posture-scale-'))
  const url = pg ? pg.url : `sqlite:${join(dir!, 'scale.db')}`
  try {
    const database = openDatabase(url)
    try {
      await migrate(database)
      const seeded = await seedDatabase(database, { records: size, tenants: 1, risksPerTenant: 5, log })
      await analyze(database)
      log(`${dialect} ${size}: seeded in ${seeded.seconds.toFixed(0)} s`)
    } finally {
      await database.close()
    }
    return await measureInChild(url, log)
  } finally {
    await pg?.drop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The measurements run in processes of their own, as a service would: not in the process that
 * just seeded a million records, nor in the one that walked them to find the deep page, whose
 * heaps (and so their garbage collections) would land in the p99s.
 */
async function measureInChild (url: string, log: (line: string) => void): Promise<Measured[]> {
  const deep = await runChild<{ cursor: string, note: string }>([url, '--find-deep'], log)
  return await runChild<Measured[]>([url, deep.cursor, deep.note], log)
}

async function runChild<T> (args: string[], log: (line: string) => void): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./scale-measure.ts', import.meta.url)), ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout.on('data', (chunk) => { output += chunk })
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  const lines = output.trim().split('\n')
  for (const line of lines.slice(0, -1)) log(line)
  if (code !== 0) throw new Error(`bench/scale-measure.ts exited with ${code}:\n${output}`)
  return JSON.parse(lines[lines.length - 1]!) as T
}

export async function runScale (options: { sizes: number[], dialects: DialectName[], write: boolean, databaseUrl?: string }): Promise<void> {
  const log = (line: string) => console.log(line)
  if (options.databaseUrl) {
    // One database seeded earlier (npm run seed): its figures only, nothing written.
    await measureInChild(options.databaseUrl, log)
    return
  }
  for (const dialect of options.dialects) {
    const bySize = new Map<number, Measured[]>()
    for (const size of options.sizes) bySize.set(size, await measureSize(dialect, size, log))
    const [small, large] = [options.sizes[0]!, options.sizes[options.sizes.length - 1]!]
    const lines = [
      `| scenario | ${small.toLocaleString('en')}: p50 / p99 ms | ${large.toLocaleString('en')}: p50 / p99 ms | p50 ratio | p99 ratio | target (p99 ≤ 2×, < 50 ms) |`,
      '| --- | ---: | ---: | ---: | ---: | --- |'
    ]
    SCENARIOS.forEach((scenario, i) => {
      const a = bySize.get(small)![i]!
      const b = bySize.get(large)![i]!
      const ratio = b.p99 / a.p99
      const met = ratio <= 2 && b.p99 < 50 ? 'met' : 'not met'
      lines.push(`| ${scenario.name}${b.note ? ` (${b.note} at ${large.toLocaleString('en')})` : ''} | ${a.p50.toFixed(2)} / ${a.p99.toFixed(2)} (${a.rows} rows) | ${b.p50.toFixed(2)} / ${b.p99.toFixed(2)} (${b.rows} rows) | ${(b.p50 / a.p50).toFixed(2)}× | ${ratio.toFixed(2)}× | ${met} |`)
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
    writeSection(`scale-${dialect}`, [`Last run: ${new Date().toISOString()} — ${info}. one tenant holding all records, seeded, then measured in a fresh process: ${REPEAT} sequential requests per row after 50 warm-up requests (p99 = the 10th slowest).`, '', table, '', plans].join('\n'))
  }
}
