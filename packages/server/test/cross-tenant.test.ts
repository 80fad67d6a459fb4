import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp, TokenOptions } from './support/app.ts'
import { RESOURCES } from '../src/resources/index.ts'
import { recordFigure } from './support/figures.ts'

// SPEC §2 tenant isolation, generated over every route of /openapi.json: another tenant (and,
// inside a tenant, another app) trying every operation on the victim's ids gets 404, its lists
// never show them, and links to them are 422 — and the victim's records are unchanged afterwards.

const VICTIM: TokenOptions = { tenant: 'victim', sub: 'vera', app: 'app_victim' }
const ATTACKERS: Array<[string, TokenOptions]> = [
  ['another tenant', { tenant: 'attacker', sub: 'mallory' }],
  ['another app of the same tenant', { tenant: 'victim', sub: 'mallory', app: 'app_other' }]
]
const BODIES: Record<string, unknown> = { patch: { title: 'pwned', description: 'pwned' }, post: {} }

for (const backend of await testBackends()) {
  describe(`cross-tenant isolation over every route on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    let paths: Record<string, Record<string, unknown>>
    const victimIds: Record<string, string> = {}
    const snapshots: Record<string, string> = {}

    before(async () => {
      t = await startTestApp(backend)
      paths = (await t.app.inject({ url: '/openapi.json' })).json().paths
      for (const resource of RESOURCES) {
        const res = await t.call('POST', `/api/v1/${resource.path}`, { body: { title: `secret ${resource.name}` }, as: VICTIM })
        assert.equal(res.statusCode, 201, res.body)
        victimIds[resource.path] = res.json().id
      }
      for (const resource of RESOURCES) {
        snapshots[resource.path] = (await t.call('GET', `/api/v1/${resource.path}/${victimIds[resource.path]}`, { as: VICTIM })).body
      }
    })
    after(async () => { await t?.close() })

    const resourceOf = (path: string) => RESOURCES.find((r) => path.startsWith(`/api/v1/${r.path}`))!

    for (const [who, as] of ATTACKERS) {
      test(`${who}: every operation on the victim's ids is 404, every list hides them`, async () => {
        let attempts = 0
        for (const [path, operations] of Object.entries(paths)) {
          if (!path.startsWith('/api/v1/')) continue
          const resource = resourceOf(path)
          const id = victimIds[resource.path]!
          for (const method of Object.keys(operations)) {
            const url = path.replace('{id}', id)
            const body = method === 'patch' ? BODIES.patch : method === 'post' ? BODIES.post : undefined
            const res = await t.call(method.toUpperCase(), url, { as, ...(body !== undefined ? { body } : {}) })
            attempts++
            if (path.includes('{id}')) {
              assert.equal(res.statusCode, 404, `${method} ${path}: ${res.body}`)
              assert.equal(res.json().code, 'not_found')
            } else if (method === 'get') {
              assert.equal(res.statusCode, 200)
              for (const query of ['', '?include_deleted=true', `?id=${id}`, '?search=secret', '?include_total=true']) {
                const list = await t.call('GET', url + query, { as })
                attempts++
                assert.equal(list.statusCode, 200, list.body)
                assert.equal(list.body.includes(id), false, `${path}${query} leaked the victim's record`)
                if (query === '?include_total=true') assert.equal(list.json().total, 0)
              }
            }
          }
        }
        recordFigure(`cross_tenant_attempts.${backend.name}`, attempts)
      })

      test(`${who}: links to the victim's ids are 422 on create and update`, async () => {
        for (const resource of RESOURCES) {
          for (const field of resource.fields.filter((f) => f.refersTo)) {
            const target = RESOURCES.find((r) => r.name === field.refersTo)!
            const body = { [field.name]: [victimIds[target.path]] }
            const created = await t.call('POST', `/api/v1/${resource.path}`, { as, body })
            assert.equal(created.statusCode, 422, `${resource.path}.${field.name}: ${created.body}`)
            const own = (await t.call('POST', `/api/v1/${resource.path}`, { as, body: {} })).json().id
            const patched = await t.call('PATCH', `/api/v1/${resource.path}/${own}`, { as, body })
            assert.equal(patched.statusCode, 422, patched.body)
          }
        }
      })
    }

    test("the victim's records and histories are unchanged", async () => {
      for (const resource of RESOURCES) {
        const id = victimIds[resource.path]
        assert.equal((await t.call('GET', `/api/v1/${resource.path}/${id}`, { as: VICTIM })).body, snapshots[resource.path])
        const history = (await t.call('GET', `/api/v1/${resource.path}/${id}/history`, { as: VICTIM })).json().data
        assert.equal(history.length, 1)
      }
    })
  })
}
