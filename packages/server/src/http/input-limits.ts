import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ProblemError, problem } from '../errors.ts'

// Cheap rejections before any real work (SPEC §5: client input never yields a 5xx):
// - URLs over MAX_URL_LENGTH → 414 (Node itself answers 431 past its 16 KiB header limit);
// - a NUL byte anywhere in the path or query → 400 (PostgreSQL cannot store U+0000 in text);
// - JSON bodies nested deeper than MAX_JSON_DEPTH → 400, found by one linear scan before parsing,
//   so a 1 MiB `[[[[…` costs no parse and no recursion anywhere later;
// - an empty body with a JSON content type is no body;
// - strings in a body holding U+0000 or a lone UTF-16 surrogate → 400 (neither survives storage
//   unchanged: PostgreSQL rejects the first, UTF-8 replaces the second).

type ContentTypeParser = (request: FastifyRequest, body: string | Buffer, done: (error: Error | null, value?: unknown) => void) => void

export const MAX_URL_LENGTH = 8 * 1024
export const MAX_JSON_DEPTH = 32

export function registerInputLimits (app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const url = request.raw.url ?? ''
    if (url.length > MAX_URL_LENGTH) throw new ProblemError('uri_too_long', `The URL is longer than ${MAX_URL_LENGTH} characters.`)
    if (/%00/i.test(url) || url.includes('\u0000')) throw problem.invalid('The URL contains a NUL byte.')
  })

  const parseJson = app.getDefaultJsonParser('error', 'error')
  const parser: ContentTypeParser = (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8')
    // Many clients send Content-Type: application/json on every request, DELETE included: an empty
    // body is no body (a POST's is then `{}`), not a malformed one.
    if (text.trim() === '') return done(null, undefined)
    const depth = nestingDepth(text)
    if (depth > MAX_JSON_DEPTH) return done(problem.invalid(`The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels.`), undefined)
    parseJson(request, text, (error, value) => {
      if (error) return done(error, undefined)
      const bad = badString(value)
      if (bad) return done(problem.invalidField(bad.path || '(body)', bad.message), undefined)
      done(null, value)
    })
  }
  app.removeContentTypeParser(['application/json'])
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parser)
  app.addContentTypeParser('application/merge-patch+json', { parseAs: 'string' }, parser)
}

/** The deepest nesting of arrays and objects in a JSON text, ignoring brackets inside strings. */
export function nestingDepth (text: string): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
    } else if (c === 34) {
      inString = true
    } else if (c === 91 || c === 123) {
      if (++depth > max) max = depth
    } else if (c === 93 || c === 125) {
      depth--
    }
  }
  return max
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

function stringProblem (value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain NUL (U+0000)'
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode (a lone surrogate was found)'
  return null
}

/** The first string (value or key) that cannot be stored faithfully, with its path. */
function badString (value: unknown, path = ''): { path: string, message: string } | null {
  if (typeof value === 'string') {
    const message = stringProblem(value)
    return message ? { path, message } : null
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = badString(value[i], path ? `${path}.${i}` : String(i))
      if (found) return found
    }
    return null
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const keyMessage = stringProblem(key)
      if (keyMessage) return { path: path || '(body)', message: `has a key that ${keyMessage}` }
      const found = badString(inner, path ? `${path}.${key}` : key)
      if (found) return found
    }
  }
  return null
}
