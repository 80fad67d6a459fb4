import type { Kysely } from 'kysely'

// The SQL of idempotency keys (SPEC §6). A key is first *reserved* ('in_flight', committed on its
// own, so the primary key turns a concurrent second request into a conflict), then *completed*
// with the response in the same transaction as the write it guards. A reservation that never
// completes therefore proves that its write never committed, and may be taken over after a lease.

export interface KeyScope {
  tenantId: string
  /** The caller within the tenant: its `sub` and, for integration tokens, its `app_id`. */
  caller: string
  key: string
}

export interface StoredResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export interface KeyRow {
  fingerprint: string
  state: 'in_flight' | 'completed'
  lockToken: string
  lockedAt: string
  expiresAt: string
  response: StoredResponse | null
}

const TABLE = 'idempotency_keys'

function where (query: any, scope: KeyScope): any {
  return query.where('tenant_id', '=', scope.tenantId).where('caller', '=', scope.caller).where('key', '=', scope.key)
}

export async function findKey (db: Kysely<any>, scope: KeyScope): Promise<KeyRow | null> {
  const row = await where(db.selectFrom(TABLE).selectAll(), scope).executeTakeFirst()
  if (!row) return null
  return {
    fingerprint: row.fingerprint,
    state: row.state,
    lockToken: row.lock_token,
    lockedAt: row.locked_at,
    expiresAt: row.expires_at,
    response: row.state === 'completed'
      ? { status: Number(row.status), headers: JSON.parse(row.headers) as Record<string, string>, body: row.body }
      : null
  }
}

/** Inserts an in-flight reservation; false when the key already has a row. */
export async function reserveKey (
  db: Kysely<any>, scope: KeyScope, values: { fingerprint: string, lockToken: string, now: string, expiresAt: string }
): Promise<boolean> {
  const result = await db.insertInto(TABLE).values({
    tenant_id: scope.tenantId,
    caller: scope.caller,
    key: scope.key,
    fingerprint: values.fingerprint,
    state: 'in_flight',
    lock_token: values.lockToken,
    locked_at: values.now,
    expires_at: values.expiresAt
  }).onConflict((oc) => oc.doNothing()).executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1
}

/** Takes over an abandoned reservation (its lease ran out); false when someone else got it first. */
export async function takeOverKey (
  db: Kysely<any>, scope: KeyScope, previousToken: string, values: { fingerprint: string, lockToken: string, now: string, expiresAt: string }
): Promise<boolean> {
  const result = await where(db.updateTable(TABLE).set({
    fingerprint: values.fingerprint, lock_token: values.lockToken, locked_at: values.now, expires_at: values.expiresAt
  }), scope).where('state', '=', 'in_flight').where('lock_token', '=', previousToken).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Stores the response of the write, inside the write's transaction. False when the reservation is
 * no longer ours (it was taken over): the caller must then roll the write back.
 */
export async function completeKey (db: Kysely<any>, scope: KeyScope, lockToken: string, response: StoredResponse): Promise<boolean> {
  const result = await where(db.updateTable(TABLE).set({
    state: 'completed', status: response.status, headers: JSON.stringify(response.headers), body: response.body
  }), scope).where('state', '=', 'in_flight').where('lock_token', '=', lockToken).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Drops our reservation when the request ended without a committed write, so a retry runs afresh. */
export async function releaseKey (db: Kysely<any>, scope: KeyScope, lockToken: string): Promise<void> {
  await where(db.deleteFrom(TABLE), scope).where('state', '=', 'in_flight').where('lock_token', '=', lockToken).execute()
}

/** Deletes one expired row (purge on read). */
export async function deleteExpiredKey (db: Kysely<any>, scope: KeyScope, now: string): Promise<void> {
  await where(db.deleteFrom(TABLE), scope).where('expires_at', '<=', now).execute()
}

/** The periodic purge: every row whose 24 h have passed. */
export async function purgeExpiredKeys (db: Kysely<any>, now: string): Promise<number> {
  const result = await db.deleteFrom(TABLE).where('expires_at', '<=', now).executeTakeFirst()
  return Number(result.numDeletedRows)
}
