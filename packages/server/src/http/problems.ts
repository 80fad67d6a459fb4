import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PROBLEMS, ProblemError } from '../errors.ts'
import type { FieldError, ProblemCode } from '../errors.ts'

// The one place errors become responses: RFC 9457 problem+json with a stable `code`
// (SPEC §5). Client input never yields a 5xx: every framework error for a bad request is mapped
// here, and anything unexpected is logged and answered as a plain 500 without internals.

export function problemBody (request: FastifyRequest, error: ProblemError) {
  return {
    type: `urn:posture:problem:${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(error.errors ? { errors: error.errors } : {}),
    request_id: String(request.id)
  }
}

export function sendProblem (request: FastifyRequest, reply: FastifyReply, error: ProblemError): FastifyReply {
  if (error.headers) reply.headers(error.headers)
  return reply.code(error.status).type('application/problem+json').send(problemBody(request, error))
}

/** Errors that mean the database is unreachable: the request may succeed later (503). */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004',
  'SQLITE_BUSY', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_CANTOPEN'
])

export function isUnavailable (error: unknown): boolean {
  const e = error as { code?: string, message?: string }
  if (e?.code && UNAVAILABLE_CODES.has(e.code)) return true
  const message = e?.message ?? ''
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i.test(message)
}

/** Unique and serialization conflicts that escaped the operations' own checks (races). */
function isConflict (error: unknown): boolean {
  const code = (error as { code?: string })?.code
  return code === '23505' || code === '40001' || code === '40P01' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

function fromValidation (error: FastifyError): ProblemError {
  const errors: FieldError[] = (error.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>
    const path = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.')
    if (v.keyword === 'additionalProperties') {
      const name = String(params.additionalProperty)
      return { field: path ? `${path}.${name}` : name, message: 'is not a known field' }
    }
    if (v.keyword === 'enum' && Array.isArray(params.allowedValues)) {
      return { field: path || '(body)', message: `must be one of ${params.allowedValues.filter((x) => x !== null).join(', ')}` }
    }
    return { field: path || '(body)', message: v.message ?? 'is invalid' }
  })
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ') || error.message
  return new ProblemError('invalid_request', detail, errors)
}

const FRAMEWORK_CODES: Record<string, ProblemCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_EMPTY_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type'
}

const BY_STATUS: Record<number, ProblemCode> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited'
}

export function toProblem (error: unknown): ProblemError | null {
  if (error instanceof ProblemError) return error
  const e = error as FastifyError
  if (e?.validation) return fromValidation(e)
  if (e?.code && FRAMEWORK_CODES[e.code]) {
    const code = FRAMEWORK_CODES[e.code]!
    const detail = code === 'payload_too_large' ? 'The body is larger than the 1 MiB limit.' : e.message
    return new ProblemError(code, detail)
  }
  if (isUnavailable(error)) return new ProblemError('unavailable', 'The database is unreachable; retry shortly.', undefined, { 'retry-after': '1' })
  if (isConflict(error)) return new ProblemError('conflict', 'The write conflicted with a concurrent one; retry it.')
  if (error instanceof SyntaxError) return new ProblemError('invalid_request', `Malformed JSON: ${error.message}`)
  const status = e?.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ProblemError(BY_STATUS[status] ?? 'invalid_request', e.message)
  }
  return null
}

export function registerProblemHandlers (app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const known = toProblem(error)
    if (known) {
      if (known.status >= 500) request.log.warn({ err: error }, 'service unavailable')
      return sendProblem(request, reply, known)
    }
    request.log.error({ err: error }, 'unhandled error')
    return sendProblem(request, reply, new ProblemError('internal', 'An unexpected error occurred; it has been logged with this request id.'))
  })
}

export { PROBLEMS }
