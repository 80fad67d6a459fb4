import type { CallSpec } from './call-spec.ts'
import { queryPairs, requestPath, sdkArguments } from './call-spec.ts'

// The same call as SDK code and as curl, ready to copy. The token is never written into a
// snippet: both read it from $POSTURE_TOKEN.

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** A JavaScript literal, on one line when short, else indented like hand-written code. */
export function jsLiteral (value: unknown, indent = ''): string {
  if (value === undefined) return 'undefined'
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  const inner = indent + '  '
  if (Array.isArray(value)) {
    const items = value.map((v) => jsLiteral(v, inner))
    const flat = `[${items.join(', ')}]`
    return flat.length <= 60 && !flat.includes('\n') ? flat : `[\n${items.map((i) => inner + i).join(',\n')}\n${indent}]`
  }
  const entries = Object.entries(value).map(([k, v]) => `${IDENTIFIER.test(k) ? k : JSON.stringify(k)}: ${jsLiteral(v, inner)}`)
  if (entries.length === 0) return '{}'
  const flat = `{ ${entries.join(', ')} }`
  return flat.length <= 60 && !flat.includes('\n') ? flat : `{\n${entries.map((e) => inner + e).join(',\n')}\n${indent}}`
}

function resultName (spec: CallSpec): string {
  if (spec.operation.name === 'list') return 'page'
  if (spec.operation.name === 'history') return 'history'
  return spec.resource.title.charAt(0).toLowerCase() + spec.resource.title.slice(1)
}

/** The SDK call alone: `await client.risk.vulnerabilities.create({ … })`. */
export function sdkCall (spec: CallSpec): string {
  const args = sdkArguments(spec).map((a) => jsLiteral(a))
  return `await ${spec.operation.sdkMethod}(${args.join(', ')})`
}

export function sdkSnippet (spec: CallSpec, baseUrl: string): string {
  return [
    "import { PostureClient } from '@posture/sdk'",
    '',
    `const client = new PostureClient({ baseUrl: ${JSON.stringify(baseUrl)}, token: process.env.POSTURE_TOKEN })`,
    `const ${resultName(spec)} = ${sdkCall(spec)}`
  ].join('\n')
}

function shellQuote (text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`
}

export function curlSnippet (spec: CallSpec, baseUrl: string): string {
  const op = spec.operation
  const lines = [`curl${op.method === 'GET' ? '' : ` -X ${op.method}`} ${shellQuote(baseUrl + requestPath(spec))}`]
  const query = op.method === 'GET' ? queryPairs(spec.params) : []
  if (query.length > 0) lines.push('-G')
  for (const [k, v] of query) lines.push(`--data-urlencode ${shellQuote(`${k}=${v}`)}`)
  lines.push('-H "Authorization: Bearer $POSTURE_TOKEN"')
  if (spec.options.ifMatch) lines.push(`-H ${shellQuote(`If-Match: ${spec.options.ifMatch}`)}`)
  if (spec.options.idempotencyKey) lines.push(`-H ${shellQuote(`Idempotency-Key: ${spec.options.idempotencyKey}`)}`)
  if (op.body) {
    // RFC 7396: a PATCH body is a merge patch.
    const type = op.bodyContentTypes.includes('application/merge-patch+json') ? 'application/merge-patch+json' : 'application/json'
    lines.push(`-H ${shellQuote(`Content-Type: ${type}`)}`)
    lines.push(`--data-raw ${shellQuote(JSON.stringify(spec.body ?? {}))}`)
  }
  return lines.join(' \\\n  ')
}
