import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose'
import type { JWK, CryptoKey } from 'jose'
import { testBackends } from './support/backends.ts'
import { TEST_SECRET, startTestApp } from './support/app.ts'
import type { TestApp } from './support/app.ts'

// RFC 8725 attacks on the bearer token (SPEC §2): only HS256 with the secret and RS256/ES256/EdDSA
// through the JWKS verify; `alg: none`, key confusion, kid/jku/jwk tricks, expiry and not-before
// beyond the 60 s skew, wrong issuer or audience, and missing claims are all 401.

const JWKS_PORT = 8140
const ISSUER = 'https://idp.test'
const AUDIENCE = 'posture-api'
const URL_LIST = '/api/v1/vulnerabilities'
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

interface Signer { alg: string, kid: string, privateKey: CryptoKey, publicJwk: JWK, spki: string }

async function signer (alg: 'RS256' | 'ES256' | 'EdDSA', kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { alg, kid, privateKey, publicJwk: { ...await exportJWK(publicKey), kid, alg, use: 'sig' }, spki: await exportSPKI(publicKey) }
}

const now = () => Math.floor(Date.now() / 1000)
const CLAIMS = { tenant_id: 't1', scope: 'risk:read risk:write' }

async function sign (key: CryptoKey | Uint8Array, header: Record<string, unknown>, claims: Record<string, unknown> = {}, options: { sub?: string | null, exp?: number | null, iss?: string, aud?: string } = {}) {
  const jwt = new SignJWT({ ...CLAIMS, ...claims }).setProtectedHeader(header as { alg: string }).setIssuedAt()
  if (options.sub !== null) jwt.setSubject(options.sub ?? 'alice')
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? now() + 600)
  jwt.setIssuer(options.iss ?? ISSUER)
  jwt.setAudience(options.aud ?? AUDIENCE)
  return await jwt.sign(key)
}

for (const backend of await testBackends()) {
  describe(`authentication attacks (RFC 8725) on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestApp
    let jwks: Server
    const signers: Signer[] = []
    let outsider: Signer

    before(async () => {
      signers.push(await signer('RS256', 'rsa-1'), await signer('ES256', 'ec-1'), await signer('EdDSA', 'ed-1'))
      outsider = await signer('RS256', 'rsa-1')
      jwks = createServer((req, res) => {
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ keys: signers.map((s) => s.publicJwk) }))
      })
      await new Promise<void>((resolve) => jwks.listen(JWKS_PORT, '127.0.0.1', resolve))
      t = await startTestApp(backend, { auth: { jwksUrl: `http://127.0.0.1:${JWKS_PORT}/jwks.json`, issuer: ISSUER, audience: AUDIENCE } })
    })
    after(async () => {
      await t?.close()
      await new Promise((resolve) => jwks?.close(resolve))
    })

    const get = async (token: string) => await t.call('GET', URL_LIST, { token })
    const expect401 = async (token: string, why: string) => {
      const res = await get(token)
      assert.equal(res.statusCode, 401, `${why}: ${res.body}`)
      assert.equal(res.json().code, 'unauthenticated')
      assert.match(String(res.headers['content-type']), /problem\+json/)
    }
    const hs = new TextEncoder().encode(TEST_SECRET)

    test('RS256, ES256 and EdDSA tokens from the JWKS, and HS256 with the secret, are accepted', async () => {
      for (const s of signers) assert.equal((await get(await sign(s.privateKey, { alg: s.alg, kid: s.kid }))).statusCode, 200, s.alg)
      assert.equal((await get(await sign(hs, { alg: 'HS256' }))).statusCode, 200)
    })

    test('alg none, unsigned or with an empty signature → 401', async () => {
      const payload = b64({ ...CLAIMS, sub: 'alice', exp: now() + 600, iss: ISSUER, aud: AUDIENCE })
      await expect401(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, 'alg none')
      await expect401(`${b64({ alg: 'None' })}.${payload}.`, 'alg None')
      await expect401(`${b64({ alg: 'HS256' })}.${payload}.`, 'HS256 without signature')
    })

    test('HS/RS key confusion: HS256 signed with the public key → 401', async () => {
      const rsa = signers[0]!
      await expect401(await sign(new TextEncoder().encode(rsa.spki), { alg: 'HS256', kid: rsa.kid }), 'HS256 with the PEM public key')
      await expect401(await sign(new TextEncoder().encode(JSON.stringify(rsa.publicJwk)), { alg: 'HS256', kid: rsa.kid }), 'HS256 with the JWK')
      await expect401(await sign(new TextEncoder().encode(rsa.publicJwk.n!), { alg: 'HS256' }), 'HS256 with the modulus')
    })

    test('kid, jku and embedded jwk tricks → 401', async () => {
      await expect401(await sign(outsider.privateKey, { alg: 'RS256', kid: 'rsa-1' }), 'a foreign key claiming a trusted kid')
      await expect401(await sign(outsider.privateKey, { alg: 'RS256', kid: 'nope' }), 'an unknown kid')
      await expect401(await sign(outsider.privateKey, { alg: 'RS256', kid: "' OR 1=1 --" }), 'an injection kid')
      await expect401(await sign(new Uint8Array(32), { alg: 'HS256', kid: '../../../../dev/null' }), 'a path-traversal kid with an empty key')
      await expect401(await sign(outsider.privateKey, { alg: 'RS256', jwk: outsider.publicJwk }), 'an embedded jwk')
      await expect401(await sign(outsider.privateKey, { alg: 'RS256', jku: 'http://127.0.0.1:1/evil.json', kid: 'rsa-1' }), 'a jku header')
      // A trusted key used with an algorithm it was not issued for.
      await expect401(await sign(signers[1]!.privateKey, { alg: 'ES256', kid: 'rsa-1' }), 'an ES256 token naming the RSA kid')
    })

    test('a tampered signature or payload → 401', async () => {
      const token = await sign(signers[0]!.privateKey, { alg: 'RS256', kid: 'rsa-1' })
      const [h, p, s] = token.split('.')
      await expect401(`${h}.${p}.${s!.slice(0, -4)}AAAA`, 'tampered signature')
      await expect401(`${h}.${b64({ ...CLAIMS, tenant_id: 't2', sub: 'alice', exp: now() + 600, iss: ISSUER, aud: AUDIENCE })}.${s}`, 'swapped payload')
    })

    test('expiry and not-before: beyond the 60 s skew → 401, within it accepted', async () => {
      const key = signers[2]!
      const header = { alg: key.alg, kid: key.kid }
      await expect401(await sign(key.privateKey, header, {}, { exp: now() - 120 }), 'expired 2 minutes ago')
      assert.equal((await get(await sign(key.privateKey, header, {}, { exp: now() - 30 }))).statusCode, 200, 'expired 30 s ago is within skew')
      await expect401(await sign(key.privateKey, header, { nbf: now() + 120 }), 'valid only in 2 minutes')
      assert.equal((await get(await sign(key.privateKey, header, { nbf: now() + 30 }))).statusCode, 200, 'nbf 30 s ahead is within skew')
    })

    test('wrong issuer or audience → 401', async () => {
      const key = signers[0]!
      await expect401(await sign(key.privateKey, { alg: 'RS256', kid: key.kid }, {}, { iss: 'https://evil.test' }), 'wrong iss')
      await expect401(await sign(key.privateKey, { alg: 'RS256', kid: key.kid }, {}, { aud: 'another-api' }), 'wrong aud')
      await expect401(await sign(hs, { alg: 'HS256' }, {}, { iss: 'https://evil.test' }), 'HS256 wrong iss')
    })

    test('missing sub, tenant_id or exp, or a non-string app_id → 401', async () => {
      await expect401(await sign(hs, { alg: 'HS256' }, {}, { sub: null }), 'no sub')
      await expect401(await sign(hs, { alg: 'HS256' }, {}, { exp: null }), 'no exp')
      await expect401(await sign(hs, { alg: 'HS256' }, { tenant_id: undefined }), 'no tenant_id')
      await expect401(await sign(hs, { alg: 'HS256' }, { tenant_id: '' }), 'empty tenant_id')
      await expect401(await sign(hs, { alg: 'HS256' }, { app_id: 42 }), 'numeric app_id')
    })

    test('malformed Authorization headers → 401; a valid token without the scope → 403', async () => {
      for (const header of ['', 'Bearer', 'Basic YWxpY2U6cHc=', 'Bearer not.a.jwt', 'Bearer ' + 'a'.repeat(5000)]) {
        const res = await t.app.inject({ url: URL_LIST, headers: { authorization: header } })
        assert.equal(res.statusCode, 401, header)
      }
      assert.equal((await t.app.inject({ url: URL_LIST })).statusCode, 401)
      const readOnly = await sign(hs, { alg: 'HS256' }, { scope: 'risk:read' })
      const res = await t.call('POST', URL_LIST, { token: readOnly, body: {} })
      assert.equal(res.statusCode, 403, res.body)
      assert.equal(res.json().code, 'forbidden')
    })
  })
}
