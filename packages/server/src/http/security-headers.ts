import type { FastifyInstance } from 'fastify'
import helmet from '@fastify/helmet'
import type { FastifyHelmetOptions } from '@fastify/helmet'
import cors from '@fastify/cors'

// Security headers (@fastify/helmet) and CORS (@fastify/cors).
//
// The API answers JSON only, so its Content-Security-Policy forbids everything
// (`default-src 'none'; frame-ancestors 'none'`). A route that serves a page — the explorer —
// passes `helmet: { contentSecurityPolicy: { directives: PAGE_CSP } }` in its route options to
// allow its own self-hosted scripts and styles, and nothing else.

export const API_CSP = {
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"]
}

/** For HTML pages the service serves itself (scripts, styles, images and fetches from 'self' only). */
export const PAGE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"]
}

const HELMET: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
  // An API is fetched by other origins' pages when CORS allows it: do not block cross-origin reads
  // at the resource policy level (CORS decides).
  crossOriginResourcePolicy: { policy: 'cross-origin' },
  crossOriginEmbedderPolicy: false,
  hsts: { maxAge: 31_536_000, includeSubDomains: true }
}

/** Request headers a browser client sends and response headers it may read (SPEC §5–§6). */
const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'if-match', 'idempotency-key', 'x-request-id']
const CORS_EXPOSED_HEADERS = [
  'etag', 'location', 'x-request-id', 'retry-after', 'idempotent-replayed',
  'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'ratelimit-policy'
]

/** `corsOrigins`: the allowed origins (CORS_ORIGINS); empty → no CORS headers at all (the default). */
export async function registerSecurityHeaders (app: FastifyInstance, corsOrigins: string[]): Promise<void> {
  await app.register(helmet, HELMET)
  if (corsOrigins.length === 0) return
  await app.register(cors, {
    origin: corsOrigins.includes('*') ? '*' : corsOrigins,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600
  })
}
