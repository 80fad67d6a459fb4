import { parseArgs } from 'node:util'
import { openDatabase } from '../packages/server/src/store/database.ts'
import { migrate } from '../packages/server/src/store/migrations.ts'
import { analyze, seedDatabase } from './seeder.ts'

// npm run seed -- --records N --tenants T [--database-url URL] [--seed S]
// Fills the database (default DATABASE_URL, else the development SQLite file) with realistic data.

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '10000' },
    tenants: { type: 'string', default: '1' },
    risks: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'database-url': { type: 'string' }
  }
})

const records = Number(values.records)
const tenants = Number(values.tenants)
if (!Number.isInteger(records) || records < 0 || !Number.isInteger(tenants) || tenants < 1) {
  console.error('Usage: npm run seed -- --records N --tenants T [--risks R] [--seed S] [--database-url URL]')
  process.exit(1)
}
const url = values['database-url'] ?? process.env.DATABASE_URL ?? 'sqlite:./data/posture.db'
const database = openDatabase(url)
try {
  await migrate(database)
  const result = await seedDatabase(database, {
    records,
    tenants,
    seed: Number(values.seed),
    ...(values.risks ? { risksPerTenant: Number(values.risks) } : {}),
    log: (line) => console.log(line)
  })
  await analyze(database)
  console.log(`Seeded ${url.replace(/\/\/[^@]*@/, '//')} in ${result.seconds.toFixed(1)} s: ${result.vulnerabilities} vulnerabilities, ` +
    `${result.controls} compliance controls (${result.controlSource}), ${result.risks} risk items, ${result.historyRows} history rows, ` +
    `tenants ${result.tenants[0]}…${result.tenants[result.tenants.length - 1]}`)
} finally {
  await database.close()
}
