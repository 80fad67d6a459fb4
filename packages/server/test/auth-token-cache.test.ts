import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { testBackends } from './support/backends.ts'
import { startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'

// Verified tokens are remembered by their exact text (http/auth.ts#VerifiedTokens): a token that
// differs in any character — a forged signature, a changed claim — is verified afresh.

for (const backend of await testBackends()) {
  describe(`verified-token cache on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    before(async () => { t = await startTestApp(backend) })
    after(async () => { await t?.close() })

    test('a forged variant of an accepted token is still rejected', async () => {
      const token = await t.token()
      assert.equal((await t.call('GET', '/api/v1/vulnerabilities', { token })).statusCode, 200)
      assert.equal((await t.call('GET', '/api/v1/vulnerabilities', { token })).statusCode, 200)
      const [header, payload, signature] = token.split('.')
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString())
      const forgedPayload = Buffer.from(JSON.stringify({ ...claims, tenant_id: 't2' })).toString('base64url')
      assert.equal((await t.call('GET', '/api/v1/vulnerabilities', { token: `${header}.${forgedPayload}.${signature}` })).statusCode, 401)
      const flipped = signature!.slice(0, -2) + (signature!.endsWith('AA') ? 'BB' : 'AA')
      assert.equal((await t.call('GET', '/api/v1/vulnerabilities', { token: `${header}.${payload}.${flipped}` })).statusCode, 401)
    })
  })
}
