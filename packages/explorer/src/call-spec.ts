import type { Operation, Resource } from './openapi.ts'

// One call as the user composed it. The SDK invocation, its source code and the curl command are
// all derived from this one value, so the snippets are exactly the call the explorer makes.

/** A list filter's value: `v` (equality) or `{ op: v }` as the SDK takes them (SPEC §4, §8). */
export type ParamValue = string | number | boolean | string[] | Record<string, string | number | boolean | string[]>

export interface CallSpec {
  resource: Resource
  operation: Operation
  id?: string
  /** Query parameters of list and history, in the SDK's shape. */
  params: Record<string, ParamValue>
  body?: Record<string, unknown>
  options: { ifMatch?: string, idempotencyKey?: string }
}

/** The SDK method's arguments, in its order: list(params), get(id), create(body, opts), update(id, patch, opts)… */
export function sdkArguments (spec: CallSpec): unknown[] {
  const opts = Object.keys(spec.options).length > 0 ? [spec.options] : []
  const params = Object.keys(spec.params).length > 0 ? [spec.params] : []
  const id = spec.id ?? ''
  switch (spec.operation.name) {
    case 'list': return params
    case 'history': return [id, ...params]
    case 'get': return [id]
    case 'create': return [spec.body ?? {}, ...opts]
    case 'update': case 'resolve': return [id, spec.body ?? {}, ...opts]
    default: return [id, ...opts]
  }
}

/** `client.risk.vulnerabilities.list` → ['risk', 'vulnerabilities', 'list'] (the path under the client). */
export function sdkPath (spec: CallSpec): string[] {
  return spec.operation.sdkMethod.split('.').slice(1)
}

/** SPEC §4: `field=v`, `field[op]=v`, lists comma-separated. */
export function queryPairs (params: Record<string, ParamValue>): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  const text = (v: string | number | boolean | string[]) => Array.isArray(v) ? v.join(',') : String(v)
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [op, v] of Object.entries(value)) pairs.push([`${key}[${op}]`, text(v)])
    } else {
      pairs.push([key, text(value)])
    }
  }
  return pairs
}

export function requestPath (spec: CallSpec): string {
  return spec.operation.path.replace('{id}', encodeURIComponent(spec.id ?? ''))
}
