import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { testBackends } from '../../server/test/support/backends.ts'
import { startTestApp } from '../../server/test/support/app.ts'
import { SDK_TYPES_FILE, renderSdkTypes } from '../../../scripts/generate-sdk-types.ts'

// The SDK's types are generated from the service's OpenAPI document: the committed file must be
// exactly what the generator makes of the document GET /openapi.json serves today.

test('packages/sdk/src/generated/types.ts is up to date with GET /openapi.json (else run npm run generate:sdk)', async () => {
  const [sqlite] = await testBackends()
  const t = await startTestApp(sqlite!)
  try {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' })
    assert.equal(response.statusCode, 200)
    const expected = renderSdkTypes(response.json())
    const committed = readFileSync(SDK_TYPES_FILE, 'utf8')
    assert.ok(committed === expected, 'the committed SDK types are stale: run `npm run generate:sdk` and commit the result')
  } finally {
    await t.close()
  }
})

test('the generator types every record field, enum and filter the document declares', async () => {
  const [sqlite] = await testBackends()
  const t = await startTestApp(sqlite!)
  try {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const source = renderSdkTypes(document)
    for (const [name, schema] of Object.entries<{ properties?: Record<string, unknown> }>(document.components.schemas)) {
      assert.match(source, new RegExp(`export (interface|type) ${name}\\b`))
      for (const field of Object.keys(schema.properties ?? {})) assert.match(source, new RegExp(`\\n\\s+${field}\\??:`), `${name}.${field}`)
    }
    assert.match(source, /severity\?: "critical" \| "high" \| "medium" \| "low" \| "info" \| \{ eq\?:/)
    assert.match(source, /cvss_score\?: number \| \{ eq\?: number; in\?: ReadonlyArray<number>; ne\?: number; gt\?: number; gte\?: number; lt\?: number; lte\?: number; exists\?: boolean \}/)
    assert.match(source, /tags\?: \{ contains\?: string; exists\?: boolean \}/)
  } finally {
    await t.close()
  }
})
