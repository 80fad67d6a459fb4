import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ProblemError } from '../errors.ts'
import { sendProblem } from './problems.ts'
import { PAGE_CSP } from './security-headers.ts'

// The explorer (/explorer, the static build of @posture/explorer) and the plain OpenAPI reference
// (/docs, Swagger UI served from node_modules). Both are self-hosted: a strict Content-Security-
// Policy keeps every script, style and request on this origin, so the pages work offline and
// the caller's token is never sent anywhere else.

export interface DevToken {
  token: string
  tenant: string
  sub: string
  scope: string
  expires_at: string
}

export interface ExplorerOptions {
  /** The built explorer; default: the dist/ of the @posture/explorer workspace package. */
  dir?: string
  /**
   * The development token `npm start` printed. Set only when the server generated its own
   * development secret outside production (config.devSecret): then GET /explorer/dev-token hands
   * it to pages served on this machine. Otherwise the route does not exist.
   */
  devToken?: DevToken
}

const require = createRequire(import.meta.url)

function packageDir (name: string): string | null {
  try {
    return dirname(require.resolve(`${name}/package.json`))
  } catch {
    return null
  }
}

export function defaultExplorerDir (): string | null {
  const root = packageDir('@posture/explorer')
  return root ? join(root, 'dist') : null
}

/** Helmet-style directives → the header value: `{ scriptSrc: ["'self'"] }` → `script-src 'self'`. */
function cspHeader (directives: Record<string, string[]>): string {
  return Object.entries(directives).map(([name, values]) => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${values.join(' ')}`).join('; ')
}

// The page policy of security-headers.ts (the API's own is `default-src 'none'`), set on every
// response of these routes, static files included (helmet's route options do not reach them).
const EXPLORER_CSP = cspHeader(PAGE_CSP)
// Swagger UI sets style attributes from its React components.
const DOCS_CSP = cspHeader({ ...PAGE_CSP, styleSrc: ["'self'", "'unsafe-inline'"] })

const NOT_BUILT = (dir: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Posture explorer: not built</title></head>
<body><main><h1>The explorer is not built</h1>
<p>The server found no explorer build in <code>${escapeHtml(dir)}</code>.
Build it with <code>npm run build -w @posture/explorer</code> (a root <code>npm install</code> does it too),
then reload this page. The API itself is up: <a href="/docs">/docs</a>, <a href="/openapi.json">/openapi.json</a>.</p>
</main></body></html>\n`

function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

export async function registerExplorer (app: FastifyInstance, options: ExplorerOptions = {}): Promise<void> {
  const dir = options.dir ?? defaultExplorerDir() ?? 'packages/explorer/dist'
  const built = existsSync(join(dir, 'index.html'))
  if (!built) app.log.warn({ dir }, 'the explorer is not built: /explorer explains how to build it')

  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', EXPLORER_CSP)
      reply.header('x-content-type-options', 'nosniff')
      reply.header('referrer-policy', 'no-referrer')
    })
    if (options.devToken) registerDevToken(scope, options.devToken)
    if (!built) {
      const notBuilt = async (_request: FastifyRequest, reply: FastifyReply) =>
        await reply.code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT(dir))
      scope.get('/explorer', notBuilt)
      scope.get('/explorer/*', notBuilt)
      return
    }
    await scope.register(fastifyStatic, {
      root: dir,
      prefix: '/explorer/',
      index: false,
      // No hashed file names: browsers revalidate (ETag, Last-Modified) on every load.
      maxAge: 0
    })
    const index = async (_request: FastifyRequest, reply: FastifyReply) => await reply.header('cache-control', 'no-cache').sendFile('index.html')
    scope.get('/explorer', index)
    scope.get('/explorer/', index)
  })

  await app.register(registerDocs)
}

/** Loopback names only: a page reached by another name could be a DNS-rebinding attack. */
const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/i
const LOOPBACK_ADDRESS = /^(127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3})$/

/**
 * Only the explorer's own page may read the token: not another site (even if CORS were opened to
 * every origin, a cross-site request is refused here: Origin / Sec-Fetch-Site, Fetch Metadata),
 * not another machine, not a page that reached this server under another name.
 */
function devTokenRefusal (request: FastifyRequest): string | null {
  const host = request.headers.host ?? ''
  if (!LOOPBACK_ADDRESS.test(request.socket.remoteAddress ?? '') || !LOOPBACK_HOST.test(host)) {
    return 'The development token is only handed to pages opened on this machine (http://127.0.0.1 or http://localhost).'
  }
  const origin = request.headers.origin
  const site = request.headers['sec-fetch-site']
  if ((origin !== undefined && origin.replace(/^https?:\/\//, '') !== host) || (site !== undefined && site !== 'same-origin' && site !== 'none')) {
    return 'The development token is only handed to the explorer\'s own page.'
  }
  return null
}

function registerDevToken (scope: FastifyInstance, devToken: DevToken): void {
  scope.get('/explorer/dev-token', async (request, reply) => {
    const refusal = devTokenRefusal(request)
    if (refusal) return sendProblem(request, reply, new ProblemError('forbidden', refusal))
    return await reply.header('cache-control', 'no-store').header('cross-origin-resource-policy', 'same-origin').send(devToken)
  })
}

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Posture API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<main id="swagger-ui"></main>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`

// A file, not an inline script: the Content-Security-Policy allows scripts from this origin only.
const DOCS_INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  tryItOutEnabled: false,
  presets: [SwaggerUIBundle.presets.apis]
})
`

const SWAGGER_FILES = new Set(['/swagger-ui.css', '/swagger-ui-bundle.js', '/favicon-32x32.png', '/favicon-16x16.png'])

async function registerDocs (scope: FastifyInstance): Promise<void> {
  scope.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', DOCS_CSP)
    reply.header('x-content-type-options', 'nosniff')
  })
  scope.get('/docs', async (_request, reply) => await reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(DOCS_HTML))
  scope.get('/docs/init.js', async (_request, reply) => await reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(DOCS_INIT))
  const swaggerDir = packageDir('swagger-ui-dist')
  if (!swaggerDir) return
  await scope.register(fastifyStatic, {
    root: swaggerDir,
    prefix: '/docs/assets/',
    decorateReply: false,
    index: false,
    allowedPath: (path) => SWAGGER_FILES.has(path)
  })
}
