import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { sql } from 'kysely'
import { testBackends } from './support/backends.ts'
import { openDatabase } from '../src/store/database.ts'
import type { Database } from '../src/store/database.ts'
import { migrate } from '../src/store/migrations.ts'
import { RESOURCES, columnFields } from '../src/resources/index.ts'

// The tables the migrations build must match the declarations: a changed declaration without a
// migration fails here rather than at run time.

for (const backend of await testBackends()) {
  describe(`schema on ${backend.name}`, { skip: backend.skip }, () => {
    let database: Database
    let drop: () => Promise<void>
    before(async () => {
      const db = await backend.create()
      drop = db.drop
      database = openDatabase(db.url)
      await migrate(database)
    })
    after(async () => {
      await database?.close()
      await drop?.()
    })

    test('every declared column exists on its table', async () => {
      for (const resource of RESOURCES) {
        const columns = new Set((await database.kysely.introspection.getTables())
          .find((t) => t.name === resource.table)!.columns.map((c) => c.name))
        for (const field of columnFields(resource)) assert.ok(columns.has(field.name), `${resource.table}.${field.name}`)
      }
    })

    test('migrating twice is a no-op', async () => {
      assert.deepEqual(await migrate(database), [])
      const rows = await sql<{ n: number }>`select count(*) as n from server_secrets`.execute(database.kysely)
      assert.equal(Number(rows.rows[0]!.n), 1)
    })
  })
}
