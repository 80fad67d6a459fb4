import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { sql } from 'kysely'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'
import { create, expectIds, patch, walk } from './support/lists.ts'
import { complianceControl } from '../src/resources/compliance-control.ts'
import { createArrayEntries, indexedArrayFields } from '../src/store/array-entries.ts'
import { RESOURCES } from '../src/resources/index.ts'

// `[contains]` on array columns follows every write: creates, PATCHes that replace, empty or null
// an array, deletes and restores, in its own tenant only, and mid-walk as the walk's snapshot saw
// it. On SQLite it is answered from the entries index (store/array-entries.ts), which must stay in
// step through triggers; on PostgreSQL from the GIN index. Same answers on both.

const C = '/api/v1/compliance-controls'
let n = 0
const control = (extra: Record<string, unknown>) => ({ framework: 'iso27001', control_ref: `A.${++n}`, name: `control ${n}`, ...extra })

for (const backend of await testBackends()) {
  describe(`array [contains] on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    const c: Record<string, Record<string, any>> = {}
    before(async () => {
      t = await startTestApp(backend)
      c.a = await create(t, 'compliance-controls', control({ tags: ['pci', 'prod', 'PCI'], linked_asset_ids: ['ast_1', 'ast_2'] }))
      c.b = await create(t, 'compliance-controls', control({ tags: ['prod'] }))
      c.c = await create(t, 'compliance-controls', control({}))
      c.other = await create(t, 'compliance-controls', control({ tags: ['pci', 'prod'], linked_asset_ids: ['ast_1'] }), { tenant: 't2' })
    })
    after(async () => { await t?.close() })

    test('entries of created records, exact and case-sensitive, in the caller\'s tenant only', async () => {
      await expectIds(t, `${C}?tags[contains]=pci`, [c.a!.id])
      await expectIds(t, `${C}?tags[contains]=PCI`, [c.a!.id])
      await expectIds(t, `${C}?tags=prod`, [c.a!.id, c.b!.id])
      await expectIds(t, `${C}?tags[contains]=pc`, [])
      await expectIds(t, `${C}?linked_asset_ids[contains]=ast_1`, [c.a!.id])
      await expectIds(t, `${C}?linked_asset_ids[contains]=prod`, [])
      await expectIds(t, `${C}?tags[contains]=pci&linked_asset_ids[contains]=ast_2`, [c.a!.id])
    })

    test('PATCH replacing, emptying and nulling an array; delete and restore', async () => {
      await patch(t, 'compliance-controls', c.b!.id, { tags: ['pci', 'dev'] })
      await expectIds(t, `${C}?tags[contains]=prod`, [c.a!.id])
      await expectIds(t, `${C}?tags[contains]=pci`, [c.a!.id, c.b!.id])
      await patch(t, 'compliance-controls', c.b!.id, { name: 'renamed only' })
      await expectIds(t, `${C}?tags[contains]=dev`, [c.b!.id])
      await patch(t, 'compliance-controls', c.b!.id, { tags: [] })
      await expectIds(t, `${C}?tags[contains]=dev`, [])
      await patch(t, 'compliance-controls', c.c!.id, { tags: ['dev'] })
      await expectIds(t, `${C}?tags[contains]=dev`, [c.c!.id])
      await patch(t, 'compliance-controls', c.c!.id, { tags: null })
      await expectIds(t, `${C}?tags[contains]=dev`, [])
      assert.equal((await t.call('DELETE', `${C}/${c.a!.id}`)).statusCode, 200)
      await expectIds(t, `${C}?tags[contains]=pci`, [])
      await expectIds(t, `${C}?tags[contains]=pci&include_deleted=true`, [c.a!.id])
      await patch(t, 'compliance-controls', c.a!.id, { is_deleted: false })
      await expectIds(t, `${C}?tags[contains]=pci`, [c.a!.id])
    })

    test('a walk filters each record as its snapshot saw it, while tags change under it', async () => {
      const tagged: Array<Record<string, any>> = []
      for (let i = 0; i < 6; i++) tagged.push(await create(t, 'compliance-controls', control({ tags: ['walk'] })))
      const expected = [...tagged].reverse().map((r) => r.id)
      const seen = await walk(t, `${C}?tags[contains]=walk&limit=2`, {
        between: async (page) => {
          // Untag one not yet seen, tag a new one: the walk still returns exactly the first six.
          await patch(t, 'compliance-controls', tagged[page]!.id, { tags: ['other'] })
          await create(t, 'compliance-controls', control({ tags: ['walk'] }))
        }
      })
      assert.deepEqual(seen.map((r) => r.id), expected)
    })

    if (backend.name === 'sqlite') {
      test('the entries index answers [contains], and is rebuilt from existing records', async () => {
        const db = t.database.kysely
        // The list consults the index: an entry planted there (and nowhere else) is found.
        await sql`insert into compliance_controls_array_entries (field, value, record_id) values ('tags', 'planted', ${c.c!.id})`.execute(db)
        await expectIds(t, `${C}?tags[contains]=planted`, [c.c!.id])
        await sql`delete from compliance_controls_array_entries where value = 'planted'`.execute(db)
        // A migration that adds an array column must add its trigger too.
        const triggers = new Set((await sql<{ name: string }>`select name from sqlite_master where type = 'trigger'`.execute(db)).rows.map((r) => r.name))
        for (const resource of RESOURCES) {
          for (const field of indexedArrayFields(resource)) assert.ok(triggers.has(`${resource.table}_array_entries_${field.name}`), field.name)
        }
        const before = (await walk(t, `${C}?tags[contains]=prod`)).map((r) => r.id)
        for (const name of ['insert', 'tags', 'linked_asset_ids', 'evidence_ids', 'related_document_ids', 'delete']) {
          await sql.raw(`drop trigger if exists compliance_controls_array_entries_${name}`).execute(db)
        }
        await sql`drop table compliance_controls_array_entries`.execute(db)
        await createArrayEntries(db, [complianceControl])
        assert.deepEqual((await walk(t, `${C}?tags[contains]=prod`)).map((r) => r.id), before)
        assert.ok(before.length > 0)
      })
    }
  })
}
