import fc from 'fast-check'
import type { Arbitrary } from 'fast-check'

// fast-check arbitraries derived from the service's own OpenAPI (JSON Schema 2020-12) documents:
// `validValue` follows a schema (types, enums, formats, patterns, bounds, nested objects and
// arrays), `hostileValue` is anything a client could send instead. Sizes are kept small so a
// few thousand cases run in seconds; the explicit large cases live in the fuzz test itself.

export type Schema = Record<string, any>

export const HOSTILE_STRINGS = [
  "' OR '1'='1", "'; DROP TABLE vulnerabilities; --", '" OR 1=1 --', '1; SELECT pg_sleep(10)', "\\'", '%', '_', '\\',
  // eslint-disable-next-line no-template-curly-in-string -- a Log4Shell probe, literally
  '{"$ne": null}', '{"__proto__": {"admin": true}}', '</script><script>alert(1)</script>', '${jndi:ldap://x}',
  '\u202e\u0301\u200b', '🔥'.repeat(50), 'ﷺ', '\uFEFF', 'a\u0000b', '\ud800', '\udfff', '😀\ud83d', 'null', 'true', '0', '-1', '1e309',
  'NaN', 'Infinity', '9'.repeat(400), '2026-02-30T00:00:00Z', '0000-00-00', 'CVE-0000-0000', 'CVSS:3.1/AV:N', ' ', ''
]

export function resolveRef (schema: Schema, doc: Schema): Schema {
  if (typeof schema.$ref === 'string') return resolveRef(doc.components.schemas[schema.$ref.split('/').pop()!], doc)
  return schema
}

function types (schema: Schema): string[] {
  if (Array.isArray(schema.type)) return schema.type
  if (typeof schema.type === 'string') return [schema.type]
  return ['string', 'number', 'boolean', 'null']
}

const jsonLeaf: Arbitrary<unknown> = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null))
const smallJson: Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, jsonLeaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 3 }))
})).value

export function validValue (input: Schema, doc: Schema): Arbitrary<unknown> {
  const schema = resolveRef(input, doc)
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum)
  if (schema.readOnly) return fc.constant(undefined)
  return fc.oneof(...types(schema).map((type) => validOfType(type, schema, doc)))
}

function validOfType (type: string, schema: Schema, doc: Schema): Arbitrary<unknown> {
  switch (type) {
    case 'null': return fc.constant(null)
    case 'boolean': return fc.boolean()
    case 'integer': return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 })
    case 'number': return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true })
    case 'string': {
      if (schema.format === 'date-time') return fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }).map((d) => d.toISOString())
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? 255))
      const any = fc.string({ unit: 'grapheme', minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) })
        .filter((s) => !s.includes('\u0000'))
      // A documented example (a CVSS vector, say) is valid where free text would not be.
      if (Array.isArray(schema.examples)) return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...schema.examples) }, { weight: 1, arbitrary: any })
      return any
    }
    case 'array': {
      const items = schema.items ? validValue(schema.items, doc) : smallJson
      const options = { maxLength: Math.min(schema.maxItems ?? 4, 4) }
      return schema.uniqueItems ? fc.uniqueArray(items, { ...options, selector: (v) => JSON.stringify(v) }) : fc.array(items, options)
    }
    case 'object': {
      if (!schema.properties) return fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), smallJson, { maxKeys: 4 })
      const shape: Record<string, Arbitrary<unknown>> = {}
      for (const [name, inner] of Object.entries(schema.properties as Record<string, Schema>)) shape[name] = validValue(inner, doc)
      return fc.record(shape, { requiredKeys: [] }).map((o) => JSON.parse(JSON.stringify(o)) as unknown)
    }
    default: return smallJson
  }
}

/** Anything a client could send where `schema` is expected: wrong types, hostile strings, junk. */
export function hostileValue (): Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(...HOSTILE_STRINGS),
    fc.constantFrom(0, -1, 1e308, -0.5, 10.05, 11, 2 ** 53 + 1, '5', '7.5', 'true', true, false, null, [], {}, [null], ['x', 'x']),
    fc.string({ unit: 'binary', maxLength: 30 }),
    smallJson
  )
}

/** A body for an operation: a valid one, a valid one with a corrupted field, or junk. */
export function bodyFor (schema: Schema | undefined, doc: Schema): Arbitrary<{ body: unknown, kind: 'valid' | 'mutated' | 'junk' }> {
  const valid = schema ? validValue(schema, doc) : fc.constant({})
  const properties = schema ? Object.keys(resolveRef(schema, doc).properties ?? {}) : []
  const fieldNames = properties.length > 0 ? fc.constantFrom(...properties) : fc.constant('title')
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((body) => ({ body, kind: 'valid' as const })) },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, fc.oneof(fieldNames, fc.constantFrom('__proto__', 'constructor', 'prototype', 'unknown_field', 'tenant_id ', '')), hostileValue())
        .map(([body, field, value]) => {
          const out = { ...(body as Record<string, unknown>) }
          Object.defineProperty(out, field, { value, enumerable: true, writable: true, configurable: true })
          return { body: out, kind: 'mutated' as const }
        })
    },
    { weight: 1, arbitrary: hostileValue().map((body) => ({ body, kind: 'junk' as const })) }
  )
}
