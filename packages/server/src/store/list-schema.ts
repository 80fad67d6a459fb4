import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { DialectName } from './database.ts'
import type { ResourceDecl } from '../resources/resource.ts'
import { allFields, columnFields } from '../resources/index.ts'
import { columnType } from './columns.ts'
import { searchableColumns } from '../records/list-query.ts'
import { quoteIdent, sortParts } from './sort-keys.ts'

// Migration 002: what lists need beyond the record tables (docs/LISTS.md) — the full-text index,
// the kept versions behind the walk guarantee, and the indexes of the common list paths. Derived
// from the declarations as they stand when it runs, like 001.

/** Kept versions older than this are pruned; cursors live 24 h (records/cursor.ts). */
const KEEP_VERSIONS = '25 hours'

/** The record's search document: its searchable fields joined by spaces (JSON arrays as text). */
function documentText (resource: ResourceDecl, dialect: DialectName, prefix: string): string {
  const kinds = new Map(allFields(resource).map((f) => [f.name, f.kind]))
  return searchableColumns(resource).map((name) => {
    const col = `${prefix}${quoteIdent(name)}`
    const text = kinds.get(name)!.endsWith('-array') && dialect === 'postgres' ? `${col}::text` : col
    return `coalesce(${text}, '')`
  }).join(' || \' \' || ')
}

/** SQLite's document (FTS5 tokenizes it): the searchable fields of the row `prefix` names. */
export function sqliteSearchDocument (resource: ResourceDecl, prefix: string): string {
  return documentText(resource, 'sqlite', prefix)
}

/**
 * PostgreSQL's document: the same text, lower-cased and cut at every character that is not a
 * letter or digit, parsed with the 'simple' configuration (no stemming, no stop words) — the
 * tokens SQLite's unicode61 tokenizer makes of it (records/search-terms.ts).
 */
function tsvectorOf (resource: ResourceDecl, prefix = ''): string {
  return `to_tsvector('simple'::regconfig, regexp_replace(lower(${documentText(resource, 'postgres', prefix)}), '[^[:alnum:]]+', ' ', 'g'))`
}

export async function createListSchema (db: Kysely<any>, dialect: DialectName, resources: readonly ResourceDecl[]): Promise<void> {
  const run = async (text: string) => { await sql.raw(text).execute(db) }
  if (dialect === 'sqlite') {
    await run('create table write_clock (id integer primary key check (id = 1), n integer not null)')
    await run('insert into write_clock (id, n) values (1, 0)')
  } else {
    await run(`create function posture_stamp_write() returns trigger language plpgsql as $$
      begin new.write_seq := pg_current_xact_id(); return new; end $$`)
  }
  for (const resource of resources) {
    await createVersions(run, dialect, resource)
    await createSearch(run, dialect, resource)
    await createListIndexes(run, dialect, resource)
  }
}

type Run = (text: string) => Promise<void>

async function createVersions (run: Run, dialect: DialectName, resource: ResourceDecl): Promise<void> {
  const t = resource.table
  const v = `${t}_versions`
  const cols = [...columnFields(resource).map((f) => f.name), 'version'].map(quoteIdent)
  const colDefs = columnFields(resource).map((f) => `${quoteIdent(f.name)} ${columnType(f, dialect)}`)
  if (dialect === 'postgres') {
    await run(`alter table ${t} add column write_seq xid8 not null default pg_current_xact_id()`)
    await run(`create table ${v} (seq bigint generated always as identity primary key, ${colDefs.join(', ')}, version integer not null,
      from_seq xid8 not null, to_seq xid8 not null, superseded_at timestamptz not null default now(),
      search_vector tsvector generated always as (${tsvectorOf(resource)}) stored)`)
    await run(`create trigger ${t}_stamp_write before insert or update on ${t} for each row execute function posture_stamp_write()`)
    // SKIP LOCKED: concurrent writers never wait on (or deadlock over) each other's pruning.
    await run(`create function ${t}_keep_version() returns trigger language plpgsql as $$ begin
      insert into ${v} (${cols.join(', ')}, from_seq, to_seq) values (${cols.map((c) => `old.${c}`).join(', ')}, old.write_seq, new.write_seq);
      delete from ${v} where seq in (select seq from ${v} where superseded_at < now() - interval '${KEEP_VERSIONS}' limit 100 for update skip locked);
      return null; end $$`)
    await run(`create trigger ${t}_keep_version after update on ${t} for each row execute function ${t}_keep_version()`)
  } else {
    await run(`alter table ${t} add column write_seq integer not null default 0`)
    await run(`create table ${v} (seq integer primary key, ${colDefs.join(', ')}, version integer not null,
      from_seq integer not null, to_seq integer not null, superseded_at text not null)`)
    // An insert stamps the row with the next tick; the inner update does not count as a write
    // (the update trigger runs only when write_seq is left alone, i.e. for the store's updates).
    await run(`create trigger ${t}_stamp_insert after insert on ${t} begin
      update write_clock set n = n + 1;
      update ${t} set write_seq = (select n from write_clock) where rowid = new.rowid;
      end`)
    await run(`create trigger ${t}_keep_version after update on ${t} when new.write_seq = old.write_seq begin
      update write_clock set n = n + 1;
      insert into ${v} (${cols.join(', ')}, from_seq, to_seq, superseded_at)
        values (${cols.map((c) => `old.${c}`).join(', ')}, old.write_seq, (select n from write_clock), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
      update ${t} set write_seq = (select n from write_clock) where rowid = new.rowid;
      delete from ${v} where superseded_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-${KEEP_VERSIONS}');
      end`)
  }
  await run(`create index ${v}_window on ${v} (tenant_id, to_seq)`)
  await run(`create index ${v}_superseded on ${v} (superseded_at)`)
}

/**
 * Full-text index. PostgreSQL: a generated tsvector column with a GIN index. SQLite: a
 * contentless FTS5 table kept in step by triggers; its rowids come from `{table}_search_keys`
 * (an INTEGER PRIMARY KEY, so VACUUM cannot renumber them as it may the records' implicit rowids).
 * Kept versions get the same document, so a walk searches the text a record had when it began.
 */
async function createSearch (run: Run, dialect: DialectName, resource: ResourceDecl): Promise<void> {
  const t = resource.table
  const v = `${t}_versions`
  if (dialect === 'postgres') {
    await run(`alter table ${t} add column search_vector tsvector generated always as (${tsvectorOf(resource)}) stored`)
    await run(`create index ${t}_search on ${t} using gin (search_vector)`)
    // A longer list of frequent lexemes: rarer words get lower (truer) estimates.
    await run(`alter table ${t} alter column search_vector set statistics 1000`)
    return
  }
  const fts = (name: string) => `create virtual table ${name} using fts5(doc, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0')`
  const doc = (prefix: string) => sqliteSearchDocument(resource, prefix)
  await run(`create table ${t}_search_keys (seq integer primary key, record_id text not null unique)`)
  await run(fts(`${t}_fts`))
  await run(`insert into ${t}_search_keys (record_id) select id from ${t}`)
  await run(`insert into ${t}_fts (rowid, doc) select k.seq, ${doc('r.')} from ${t} r join ${t}_search_keys k on k.record_id = r.id`)
  await run(`create trigger ${t}_search_insert after insert on ${t} begin
    insert into ${t}_search_keys (record_id) values (new.id);
    insert into ${t}_fts (rowid, doc) values ((select seq from ${t}_search_keys where record_id = new.id), ${doc('new.')});
    end`)
  await run(`create trigger ${t}_search_update after update on ${t} when (${doc('old.')}) is not (${doc('new.')}) begin
    delete from ${t}_fts where rowid = (select seq from ${t}_search_keys where record_id = old.id);
    insert into ${t}_fts (rowid, doc) values ((select seq from ${t}_search_keys where record_id = new.id), ${doc('new.')});
    end`)
  await run(fts(`${v}_fts`))
  await run(`create trigger ${v}_search_insert after insert on ${v} begin
    insert into ${v}_fts (rowid, doc) values (new.seq, ${doc('new.')});
    end`)
  await run(`create trigger ${v}_search_delete after delete on ${v} begin
    delete from ${v}_fts where rowid = old.seq;
    end`)
}

/**
 * The common list paths (docs/LISTS.md "Indexes"): status (and severity) filters under the
 * default order, changes since a time, due dates (range filters and the due-date sort), and
 * array containment.
 */
async function createListIndexes (run: Run, dialect: DialectName, resource: ResourceDecl): Promise<void> {
  const t = resource.table
  const fields = new Map(allFields(resource).map((f) => [f.name, f]))
  const index = async (name: string, columns: string[]) => { await run(`create index ${t}_${name} on ${t} (${columns.join(', ')})`) }
  const order = ['created_at', 'id']
  // Integrations sync by `updated_at[gt]=…&sort=updated_at`.
  await index('updated', ['tenant_id', 'updated_at', 'id'])
  if (fields.has('status')) await index('status_created', ['tenant_id', 'status', ...order])
  if (fields.has('severity')) {
    await index('severity_created', ['tenant_id', 'severity', ...order])
    await index('status_severity_created', ['tenant_id', 'status', 'severity', ...order])
  }
  const due = fields.get('due_date')
  if (due) {
    await index('due_date', ['tenant_id', 'due_date'])
    await index('due_date_sort', ['tenant_id', ...sortParts(due, dialect, 'due_date').map((p) => `(${p.expression})`), 'id'])
  }
  if (dialect === 'postgres') {
    for (const field of columnFields(resource)) {
      if (field.kind === 'id-array' || field.kind === 'string-array') {
        await run(`create index ${t}_${field.name}_gin on ${t} using gin (${quoteIdent(field.name)} jsonb_path_ops)`)
      }
    }
  }
}

/**
 * Migration 006: indexes for the sorts that triage reads most — worst first — at any size:
 * vulnerabilities by `severity` (by rank) and `cvss_score`, risk items by `risk_score`. Each is
 * `(tenant_id, <the sort key's expression>, id)`, so one index serves both directions, the ORDER
 * BY and the cursor's range (store/sort-keys.ts). Other sortable fields sort their matches per page.
 */
export const SORT_INDEXES: Readonly<Record<string, readonly string[]>> = {
  vulnerabilities: ['severity', 'cvss_score'],
  risk_items: ['risk_score']
}

export async function createSortIndexes (db: Kysely<any>, dialect: DialectName, resources: readonly ResourceDecl[]): Promise<void> {
  for (const resource of resources) {
    const fields = new Map(allFields(resource).map((f) => [f.name, f]))
    for (const name of SORT_INDEXES[resource.table] ?? []) {
      const keys = sortParts(fields.get(name)!, dialect, quoteIdent(name)).map((p) => `(${p.expression})`)
      await sql.raw(`create index ${resource.table}_${name}_sort on ${resource.table} (tenant_id, ${keys.join(', ')}, id)`).execute(db)
    }
  }
}

/**
 * Migration 007: the lookups integrations and triage make by equality, under the default order —
 * a scanner import asking for a CVE (`cve_id=`), an asset's findings (`affected_asset_id=`), a
 * person's queue (`assigned_to=`). Without these a lookup that finds nothing read every record
 * of the tenant (0.3–0.7 s at 1M).
 */
export const LOOKUP_INDEXES: Readonly<Record<string, readonly string[]>> = {
  vulnerabilities: ['cve_id', 'affected_asset_id', 'assigned_to']
}

export async function createLookupIndexes (db: Kysely<any>, resources: readonly ResourceDecl[]): Promise<void> {
  for (const resource of resources) {
    for (const name of LOOKUP_INDEXES[resource.table] ?? []) {
      await sql.raw(`create index ${resource.table}_${name}_created on ${resource.table} (tenant_id, ${quoteIdent(name)}, created_at, id)`).execute(db)
    }
  }
}

const indexedSortsOf = new Map<ResourceDecl, ReadonlySet<string>>()

/** The sorts an index serves (002, 006): their pages stop at the limit instead of sorting every match. */
export function indexedSorts (resource: ResourceDecl): ReadonlySet<string> {
  let sorts = indexedSortsOf.get(resource)
  if (!sorts) {
    const fields = new Set(allFields(resource).map((f) => f.name))
    sorts = new Set(['created_at', 'updated_at', ...(fields.has('due_date') ? ['due_date'] : []), ...(SORT_INDEXES[resource.table] ?? [])])
    indexedSortsOf.set(resource, sorts)
  }
  return sorts
}
