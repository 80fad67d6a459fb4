import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose'
import type { JWTPayload, JWTVerifyGetKey } from 'jose'
import type { Caller } from '../records/caller.ts'
import { problem } from '../errors.ts'

// Bearer JWT authentication (SPEC §2, RFC 8725): only allow-listed algorithms — HS256 with the
// shared secret, RS256/ES256/EdDSA through the JWKS — so `alg: none` and HS/RS key confusion
// cannot verify. `sub`, `tenant_id` and `exp` are required; 60 s of clock skew is tolerated.

export interface AuthConfig {
  jwtSecret?: string
  jwksUrl?: string
  issuer?: string
  audience?: string
}

export const CLOCK_TOLERANCE_SECONDS = 60
const ASYMMETRIC = ['RS256', 'ES256', 'EdDSA']

export type Authenticator = (authorization: string | undefined) => Promise<Caller>

export function createAuthenticator (config: AuthConfig): Authenticator {
  const secret = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : null
  const jwks: JWTVerifyGetKey | null = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : null
  const common = {
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['exp', 'sub'],
    ...(config.issuer ? { issuer: config.issuer } : {}),
    ...(config.audience ? { audience: config.audience } : {})
  }

  const verified = new VerifiedTokens()

  return async function authenticate (authorization) {
    const m = /^Bearer ([A-Za-z0-9_\-.=]+)$/.exec(authorization?.trim() ?? '')
    if (!m) throw problem.unauthenticated('Send Authorization: Bearer <JWT>.')
    const token = m[1]!
    const known = verified.get(token)
    if (known) return known
    const caller = await verifyToken(token)
    verified.put(token, caller.exp, caller.caller)
    return caller.caller
  }

  async function verifyToken (token: string): Promise<{ caller: Caller, exp: number }> {
    let alg: string | undefined
    try {
      alg = decodeProtectedHeader(token).alg
    } catch {
      throw problem.unauthenticated('The bearer token is not a JWT.')
    }
    let payload: JWTPayload
    try {
      if (alg === 'HS256' && secret) {
        payload = (await jwtVerify(token, secret, { ...common, algorithms: ['HS256'] })).payload
      } else if (alg !== undefined && ASYMMETRIC.includes(alg) && jwks) {
        payload = (await jwtVerify(token, jwks, { ...common, algorithms: ASYMMETRIC })).payload
      } else {
        throw problem.unauthenticated(`Tokens signed with ${alg ?? 'no algorithm'} are not accepted here.`)
      }
    } catch (error) {
      if ((error as { name?: string }).name === 'ProblemError') throw error
      const code = (error as { code?: string }).code
      const why = code === 'ERR_JWT_EXPIRED'
        ? 'The token has expired.'
        : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED'
          ? `The token's claims are not acceptable: ${(error as Error).message}.`
          : 'The token could not be verified.'
      throw problem.unauthenticated(why)
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw problem.unauthenticated('The token has no sub.')
    const tenantId = payload.tenant_id
    if (typeof tenantId !== 'string' || tenantId === '') throw problem.unauthenticated('The token has no tenant_id.')
    const appId = payload.app_id
    if (appId !== undefined && appId !== null && (typeof appId !== 'string' || appId === '')) {
      throw problem.unauthenticated('The token\'s app_id must be a string.')
    }
    const scope = typeof payload.scope === 'string' ? payload.scope : ''
    return {
      exp: payload.exp!,
      caller: {
        tenantId,
        appId: typeof appId === 'string' ? appId : null,
        sub: payload.sub,
        scopes: new Set(scope.split(' ').filter(Boolean))
      }
    }
  }
}

/** How long a verified token is trusted without verifying its signature again. */
export const VERIFIED_TOKEN_TTL_MS = 60_000
const VERIFIED_TOKEN_MAX = 10_000

/**
 * Tokens that verified recently, by their exact text (signature included, so a changed claim is
 * another key). A bearer API sees the same token on many requests, and verifying costs a WebCrypto
 * HMAC or signature check each time (jose), the largest auth cost in the profile. An entry lives
 * at most VERIFIED_TOKEN_TTL_MS (so a key removed from the JWKS stops working within a minute) and
 * never past the token's own `exp` plus the allowed skew.
 */
class VerifiedTokens {
  private readonly entries = new Map<string, { caller: Caller, until: number }>()

  get (token: string): Caller | null {
    const entry = this.entries.get(token)
    if (!entry) return null
    if (Date.now() >= entry.until) {
      this.entries.delete(token)
      return null
    }
    return entry.caller
  }

  put (token: string, exp: number, caller: Caller): void {
    const until = Math.min(Date.now() + VERIFIED_TOKEN_TTL_MS, (exp + CLOCK_TOLERANCE_SECONDS) * 1000)
    // Bounded: when full, the oldest entry makes room (Map keeps insertion order).
    if (this.entries.size >= VERIFIED_TOKEN_MAX) this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(token, { caller, until })
  }
}

export interface TokenClaims {
  tenant: string
  sub: string
  app?: string
  scope: string
  /** Seconds until expiry. */
  ttlSeconds: number
  issuer?: string
  audience?: string
}

/** Mints an HS256 token (`posture token`, the development token, tests). */
export async function signToken (secret: string, claims: TokenClaims): Promise<string> {
  const jwt = new SignJWT({
    tenant_id: claims.tenant,
    scope: claims.scope,
    ...(claims.app ? { app_id: claims.app } : {})
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + claims.ttlSeconds)
  if (claims.issuer) jwt.setIssuer(claims.issuer)
  if (claims.audience) jwt.setAudience(claims.audience)
  return await jwt.sign(new TextEncoder().encode(secret))
}

/** `1h`, `30m`, `7d`, `90s` or plain seconds → seconds. */
export function parseTtl (ttl: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(ttl.trim())
  if (!m) throw new Error(`--ttl must look like 90s, 30m, 1h or 7d (got ${ttl})`)
  const n = Number(m[1])
  return n * ({ '': 1, s: 1, m: 60, h: 3600, d: 86_400 } as Record<string, number>)[m[2]!]!
}
