import { ulid } from 'ulidx'
import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { Database } from '../packages/server/src/store/database.ts'
import { bulkInsert } from '../packages/server/src/store/bulk-insert.ts'
import type { BulkColumn } from '../packages/server/src/store/bulk-insert.ts'
import { columnType, encodeValue } from '../packages/server/src/store/columns.ts'
import { columnFields, complianceControl, riskItem, vulnerability } from '../packages/server/src/resources/index.ts'
import type { RecordData, ResourceDecl } from '../packages/server/src/resources/resource.ts'
import { SCHEMA_VERSION } from '../packages/server/src/resources/resource.ts'
import { diff } from '../packages/server/src/records/history.ts'
import type { Caller } from '../packages/server/src/records/caller.ts'
import { ALL_SCOPES } from '../packages/server/src/records/caller.ts'
import { nistControls } from './control-catalog.ts'
import { pick, random, riskInput, vulnerabilityInput } from './seed-data.ts'
import type { Random } from './seed-data.ts'

// Fills a migrated database with realistic records fast: built in memory batch by batch, run
// through each resource's own rules (so derived fields — severity, due dates, risk scores — are
// what the API would have stored), written with multi-row statements inside transactions, each
// with its 'create' history entry. Not through HTTP: a million records must load in minutes.

export interface SeedOptions {
  records: number
  tenants: number
  /** Risk items per tenant; default: one per 100 vulnerabilities, at least 5. */
  risksPerTenant?: number
  seed?: number
  /** Records per batch (and per transaction). */
  batch?: number
  /** Build secondary indexes after the load rather than during it; default from 50,000 records. */
  indexesAfter?: boolean
  log?: (line: string) => void
}

export interface SeedResult {
  tenants: string[]
  vulnerabilities: number
  controls: number
  risks: number
  historyRows: number
  seconds: number
  controlSource: string
  /** A few vulnerability ids per tenant, for benchmarks that fetch by id. */
  sampleIds: Record<string, string[]>
}

export function tenantName (n: number): string {
  return `tenant-${String(n + 1).padStart(2, '0')}`
}

const SEED_SUB = 'seed'
/** The random part of seeded ULIDs: a seeded PRNG, far cheaper than a CSPRNG call per character. */
const idRandom = random(7)
const HISTORY_COLUMNS = ['id', 'tenant_id', 'record_id', 'at', 'actor', 'app_id', 'action', 'changes']

export async function seedDatabase (database: Database, options: SeedOptions): Promise<SeedResult> {
  const started = performance.now()
  const log = options.log ?? (() => {})
  const rng = random(options.seed ?? 1)
  const batch = options.batch ?? 5000
  const tenants = Array.from({ length: options.tenants }, (_, i) => tenantName(i))
  const writer = new Writer(database)
  const sampleIds: Record<string, string[]> = Object.fromEntries(tenants.map((t) => [t, []]))
  const now = Date.now()

  // Controls: the NIST catalog in every tenant; an enhancement maps to its base control.
  const { controls: catalog, from: controlSource } = nistControls()
  const controlIds: Record<string, string[]> = {}
  await writer.transaction(async (trx) => {
    for (const tenant of tenants) {
      const byRef = new Map<string, string>()
      const records: RecordData[] = []
      const mappings: unknown[][] = []
      catalog.forEach((source, i) => {
        const createdMs = now - 400 * 86_400_000 + i * 1000
        const r = rng()
        const input: RecordData = {
          framework: 'nist_800_53',
          ...source,
          owner: `usr_${Math.floor(rng() * 200)}`,
          status: r < 0.5 ? 'implemented' : r < 0.8 ? 'partial' : r < 0.95 ? 'not_implemented' : 'not_applicable',
          implementation_maturity: pick(rng, ['not_implemented', 'partial', 'implemented', 'optimized']),
          effectiveness: Math.round(rng() * 100) / 100,
          last_assessed_at: new Date(createdMs + 30 * 86_400_000).toISOString(),
          next_review_at: new Date(now + Math.floor(rng() * 365) * 86_400_000).toISOString(),
          tags: [source.category.toLowerCase().replace(/\s+/g, '-'), pick(rng, ['soc2-overlap', 'iso-overlap', 'baseline-moderate'])]
        }
        if (input.status === 'not_applicable') input.justification = 'The capability is not present in this system boundary.'
        const record = ruled(complianceControl, input, tenant, createdMs, 'ctl')
        const parent = source.control_id.replace(/\(\d+\)$/, '')
        const parentId = parent !== source.control_id ? byRef.get(parent) : undefined
        if (parentId) {
          record.mapped_control_ids = [parentId]
          const [a, b] = parentId < (record.id as string) ? [parentId, record.id] : [record.id, parentId]
          mappings.push([tenant, a, b])
        }
        byRef.set(source.control_id, record.id as string)
        records.push(record)
      })
      controlIds[tenant] = records.map((r) => r.id as string)
      await writer.records(trx, complianceControl, records)
      await bulkInsert(trx, database.dialect, 'control_mappings', textColumns(['tenant_id', 'control_a', 'control_b']), mappings)
    }
  })
  log(`controls: ${catalog.length} per tenant from ${controlSource}`)

  // Vulnerabilities, spread over the last two years, oldest first, round-robin over tenants.
  // A big load builds the table's secondary indexes once at the end, not row by row.
  const restoreIndexes = (options.indexesAfter ?? options.records >= BULK_INDEX_THRESHOLD) ? await dropSecondaryIndexes(database, ['vulnerabilities', 'record_history']) : null
  const spanMs = 730 * 86_400_000
  const step = spanMs / Math.max(1, options.records)
  const first = now - spanMs - 3_600_000
  let pending: Promise<void> = Promise.resolve()
  for (let start = 0; start < options.records; start += batch) {
    const records: RecordData[] = []
    for (let i = start; i < Math.min(options.records, start + batch); i++) {
      const tenant = tenants[i % tenants.length]!
      const createdMs = Math.floor(first + i * step + rng() * step)
      const record = ruled(vulnerability, vulnerabilityInput(rng, createdMs), tenant, createdMs, 'vul')
      if (sampleIds[tenant]!.length < 1000) sampleIds[tenant]!.push(record.id as string)
      records.push(record)
    }
    // Build the next batch while the database writes this one (PostgreSQL works in its own process).
    await pending
    pending = writer.transaction(async (trx) => await writer.records(trx, vulnerability, records))
    if ((start / batch) % 20 === 19) log(`vulnerabilities: ${start + records.length}/${options.records} (${((performance.now() - started) / 1000).toFixed(0)} s)`)
  }

  await pending
  if (restoreIndexes) {
    log('vulnerabilities written; building their indexes')
    await restoreIndexes()
  }

  // Risk items, each linked to a few of its tenant's vulnerabilities and controls.
  const risksPerTenant = options.risksPerTenant ?? Math.max(5, Math.round(options.records / options.tenants / 100))
  let risks = 0
  await writer.transaction(async (trx) => {
    for (const tenant of tenants) {
      const records: RecordData[] = []
      const links: unknown[][] = []
      for (let n = 0; n < risksPerTenant; n++) {
        const input = riskInput(rng, n + 1)
        input.linked_vulnerability_ids = sample(rng, sampleIds[tenant]!, 1 + Math.floor(rng() * 3))
        const controls = sample(rng, controlIds[tenant]!, 1 + Math.floor(rng() * 3))
        const record = ruled(riskItem, { ...input, linked_control_ids: controls }, tenant, now - Math.floor(rng() * 200) * 86_400_000, 'rsk')
        for (const control of controls) links.push([tenant, record.id, control])
        records.push(record)
      }
      await writer.records(trx, riskItem, records)
      await bulkInsert(trx, database.dialect, 'risk_control_links', textColumns(['tenant_id', 'risk_id', 'control_id']), links)
      risks += records.length
    }
  })

  return {
    tenants,
    vulnerabilities: options.records,
    controls: catalog.length * tenants.length,
    risks,
    historyRows: writer.historyRows,
    seconds: (performance.now() - started) / 1000,
    controlSource,
    sampleIds
  }
}

function sample (rng: Random, items: readonly string[], n: number): string[] {
  const out = new Set<string>()
  for (let i = 0; i < n && items.length > 0; i++) out.add(pick(rng, items))
  return [...out]
}

function textColumns (names: readonly string[]): BulkColumn[] {
  return names.map((name) => ({ name, pgType: 'text' }))
}

/** A record as the create operation would store it: server fields, the client's input, the rules. */
export function ruled (resource: ResourceDecl, input: RecordData, tenant: string, createdMs: number, prefix: string): RecordData {
  const at = new Date(createdMs).toISOString()
  const caller: Caller = { tenantId: tenant, appId: null, sub: SEED_SUB, scopes: new Set(ALL_SCOPES.split(' ')) }
  const base: RecordData = {
    id: `${prefix}_${ulid(createdMs, idRandom)}`,
    tenant_id: tenant,
    app_id: null,
    created_at: at,
    updated_at: at,
    created_by: SEED_SUB,
    updated_by: SEED_SUB,
    source: 'edm',
    source_type: 'api',
    is_deleted: false,
    schema_version: SCHEMA_VERSION
  }
  return resource.rules({ ...base, ...input }, { input, previous: null, caller, now: at, action: 'create' })
}

/** Encodes records (and their history entries) into rows and writes them in bulk. */
class Writer {
  historyRows = 0
  private readonly columns = new Map<string, { fields: ReturnType<typeof columnFields>, bulk: BulkColumn[] }>()

  constructor (private readonly database: Database) {}

  async transaction (work: (trx: Kysely<any>) => Promise<void>): Promise<void> {
    await this.database.kysely.transaction().execute(work)
  }

  private shape (resource: ResourceDecl) {
    let shape = this.columns.get(resource.name)
    if (!shape) {
      const fields = columnFields(resource)
      const bulk = [...fields.map((f) => ({ name: f.name, pgType: columnType(f, 'postgres') })), { name: 'version', pgType: 'integer' }]
      shape = { fields, bulk }
      this.columns.set(resource.name, shape)
    }
    return shape
  }

  async records (trx: Kysely<any>, resource: ResourceDecl, records: RecordData[]): Promise<void> {
    const { dialect } = this.database
    const { bulk } = this.shape(resource)
    const rows = records.map((r) => encodeRow(resource, r, dialect))
    await bulkInsert(trx, dialect, resource.table, bulk, rows)
    const history = records.map((r) => [
      `hst_${ulid(Date.parse(r.created_at as string), idRandom)}`, r.tenant_id, r.id, r.created_at, SEED_SUB, null, 'create',
      JSON.stringify(diff(resource, null, r))
    ])
    const historyColumns = HISTORY_COLUMNS.map((name) => ({ name, pgType: name === 'changes' ? 'jsonb' : 'text' }))
    await bulkInsert(trx, dialect, 'record_history', historyColumns, history)
    this.historyRows += history.length
  }
}

/**
 * After a bulk load: fresh planner statistics, so the first queries get the plans they will keep,
 * and on SQLite every FTS5 index merged into one segment — a load leaves hundreds of segments, and
 * a search that probes the index row by row pays for each of them (docs/LISTS.md).
 */
export async function analyze (database: Database): Promise<void> {
  if (database.dialect === 'sqlite') {
    const fts = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and sql like '%using fts5%'`.execute(database.kysely)
    for (const { name } of fts.rows) await sql`insert into ${sql.id(name)} (${sql.id(name)}) values ('optimize')`.execute(database.kysely)
  }
  await sql`analyze`.execute(database.kysely)
}

/** A record's column values in `columnFields` order, then its version. */
export function encodeRow (resource: ResourceDecl, record: RecordData, dialect: Database['dialect']): unknown[] {
  return [...columnFields(resource).map((f) => encodeValue(f, record[f.name] ?? null, dialect)), 1]
}

/** What an earlier seed left in a database: its tenants, counts and some ids per tenant. */
export async function describeSeeded (database: Database): Promise<SeedResult> {
  const db = database.kysely
  const count = async (table: string) => Number((await db.selectFrom(table).select((eb: any) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow() as { n: unknown }).n)
  const tenants = (await db.selectFrom('vulnerabilities').select('tenant_id').distinct().orderBy('tenant_id').execute()).map((r: { tenant_id: string }) => r.tenant_id)
  const sampleIds: Record<string, string[]> = {}
  for (const tenant of tenants) {
    sampleIds[tenant] = (await db.selectFrom('vulnerabilities').select('id').where('tenant_id', '=', tenant).orderBy('id').limit(1000).execute()).map((r: { id: string }) => r.id)
  }
  return {
    tenants,
    vulnerabilities: await count('vulnerabilities'),
    controls: await count('compliance_controls'),
    risks: await count('risk_items'),
    historyRows: await count('record_history'),
    seconds: 0,
    controlSource: 'an earlier seed',
    sampleIds
  }
}

/** From this many records on, the seed drops secondary indexes and builds them after the load. */
const BULK_INDEX_THRESHOLD = 50_000

/**
 * Drops the non-unique indexes of `tables` (whatever migrations created) and returns a function
 * that creates them again from their saved definitions: one sorted build per index instead of a
 * million incremental inserts (a GIN index over text above all). Unique indexes stay, so the load
 * is still checked.
 */
async function dropSecondaryIndexes (database: Database, tables: string[]): Promise<() => Promise<void>> {
  const db = database.kysely
  let definitions: Array<{ name: string, sql: string }>
  if (database.dialect === 'postgres') {
    const rows = await sql<{ indexname: string, indexdef: string }>`select i.indexname, i.indexdef from pg_indexes i
      join pg_class c on c.relname = i.indexname join pg_index x on x.indexrelid = c.oid
      where i.schemaname = current_schema() and i.tablename in (${sql.join(tables)}) and not x.indisunique`.execute(db)
    definitions = rows.rows.map((r) => ({ name: r.indexname, sql: r.indexdef }))
  } else {
    const rows = await sql<{ name: string, sql: string }>`select name, sql from sqlite_master
      where type = 'index' and sql is not null and tbl_name in (${sql.join(tables)}) and sql not like 'create unique%' collate nocase`.execute(db)
    definitions = rows.rows
  }
  for (const index of definitions) await sql`drop index ${sql.id(index.name)}`.execute(db)
  return async () => {
    await db.transaction().execute(async (trx) => {
      if (database.dialect === 'postgres') await sql`set local maintenance_work_mem = '256MB'`.execute(trx)
      for (const index of definitions) await sql.raw(index.sql).execute(trx)
    })
  }
}
