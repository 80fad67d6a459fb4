import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo, Server } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { CryptoKey } from 'jose'
import { testBackends } from './support/backends.ts'
import { startTestApp, TEST_SECRET } from './support/app.ts'
import type { TestApp } from './support/app.ts'

// SPEC §2: HS256 with JWT_SECRET, RS256/ES256/EdDSA through a JWKS (served here by the test),
// iss/aud checks, required claims, scopes.

const ISSUER = 'https://idp.test'
const AUDIENCE = 'posture'

interface Signer { alg: string, kid: string, privateKey: CryptoKey }

async function sign (key: CryptoKey | Uint8Array, alg: string, claims: Record<string, unknown>, options: { kid?: string, exp?: number, iss?: string, aud?: string } = {}) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg, ...(options.kid ? { kid: options.kid } : {}) }).setIssuedAt()
  if (options.exp !== 0) jwt.setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 600)
  jwt.setIssuer(options.iss ?? ISSUER).setAudience(options.aud ?? AUDIENCE)
  return await jwt.sign(key)
}

const CLAIMS = { sub: 'alice', tenant_id: 't1', scope: 'risk:read risk:write' }

for (const backend of await testBackends()) {
  describe(`authentication on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    let jwks: Server
    const signers: Signer[] = []
    const secret = new TextEncoder().encode(TEST_SECRET)

    before(async () => {
      const keys: Array<Record<string, unknown>> = []
      for (const alg of ['RS256', 'ES256', 'EdDSA']) {
        const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
        const kid = `key-${alg}`
        signers.push({ alg, kid, privateKey })
        keys.push({ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' })
      }
      jwks = createServer((_req, res) => {
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ keys }))
      })
      await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve))
      const port = (jwks.address() as AddressInfo).port
      t = await startTestApp(backend, { auth: { jwksUrl: `http://127.0.0.1:${port}/jwks.json`, issuer: ISSUER, audience: AUDIENCE } })
    })
    after(async () => {
      await t?.close()
      jwks?.close()
    })

    const list = async (token: string | null) => await t.app.inject({
      method: 'GET', url: '/api/v1/vulnerabilities', headers: token === null ? {} : { authorization: `Bearer ${token}` }
    })

    test('HS256 with the shared secret, and every JWKS algorithm, are accepted', async () => {
      assert.equal((await list(await sign(secret, 'HS256', CLAIMS))).statusCode, 200)
      for (const s of signers) {
        const res = await list(await sign(s.privateKey, s.alg, CLAIMS, { kid: s.kid }))
        assert.equal(res.statusCode, 200, `${s.alg}: ${res.body}`)
      }
    })

    test('missing, malformed and unverifiable tokens → 401 problem', async () => {
      const cases: Array<[string, string | null]> = [
        ['no header', null],
        ['not a JWT', 'abc.def'],
        ['wrong secret', await sign(new TextEncoder().encode('another-secret-another-secret-1234'), 'HS256', CLAIMS)],
        ['alg none', `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...CLAIMS, exp: 9999999999, iss: ISSUER, aud: AUDIENCE })).toString('base64url')}.`],
        ['expired beyond skew', await sign(secret, 'HS256', CLAIMS, { exp: Math.floor(Date.now() / 1000) - 120 })],
        ['no exp', await sign(secret, 'HS256', CLAIMS, { exp: 0 })],
        ['no sub', await sign(secret, 'HS256', { tenant_id: 't1', scope: 'risk:read' })],
        ['no tenant_id', await sign(secret, 'HS256', { sub: 'alice', scope: 'risk:read' })],
        ['wrong issuer', await sign(secret, 'HS256', CLAIMS, { iss: 'https://evil.test' })],
        ['wrong audience', await sign(secret, 'HS256', CLAIMS, { aud: 'someone-else' })],
        ['unknown kid', await sign((await generateKeyPair('RS256')).privateKey, 'RS256', CLAIMS, { kid: 'key-RS256' })]
      ]
      for (const [name, token] of cases) {
        const res = await list(token)
        assert.equal(res.statusCode, 401, name)
        assert.equal(res.json().code, 'unauthenticated', name)
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
      }
    })

    test('60 s of clock skew is tolerated', async () => {
      assert.equal((await list(await sign(secret, 'HS256', CLAIMS, { exp: Math.floor(Date.now() / 1000) - 30 }))).statusCode, 200)
    })

    test('a missing scope → 403; risk:read cannot write', async () => {
      const reader = await sign(secret, 'HS256', { ...CLAIMS, scope: 'risk:read' })
      const write = await t.app.inject({ method: 'POST', url: '/api/v1/vulnerabilities', headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' }, payload: '{}' })
      assert.equal(write.statusCode, 403)
      assert.equal(write.json().code, 'forbidden')
      const nobody = await sign(secret, 'HS256', { ...CLAIMS, scope: '' })
      assert.equal((await list(nobody)).statusCode, 403)
    })
  })
}
