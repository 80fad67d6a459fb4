import type { FastifyServerOptions } from 'fastify'

// Structured JSON logs (pino through Fastify): one line per event, each request's lines carrying
// its `request_id` (the same value as the x-request-id header). Tokens and secrets never reach the
// logs: request headers are not serialized at all, and the few paths that could carry them are
// redacted should anything log them explicitly.

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'secret',
  'jwtSecret',
  '*.jwtSecret',
  '*.authorization'
]

export interface LoggingOptions {
  level: string
  /** Where the lines go (tests capture them); stdout by default. */
  stream?: NodeJS.WritableStream
}

export function loggerOptions (options: LoggingOptions): FastifyServerOptions['logger'] {
  return {
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(options.stream ? { stream: options.stream } : {}),
    serializers: {
      // Method, route and URL, never headers: authorization and cookies stay out by construction.
      req: (req: { method: string, url: string, routeOptions?: { url?: string } }) => ({
        method: req.method,
        url: req.url,
        route: req.routeOptions?.url
      })
    }
  }
}

/** The log field that carries the request id on every request-scoped line. */
export const REQUEST_ID_LOG_LABEL = 'request_id'
