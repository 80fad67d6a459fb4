// Writes packages/sdk/src/generated/types.ts from the service's OpenAPI document (the same document
// GET /openapi.json serves): the record, create, patch and resolve bodies, list and history
// parameters (typed filters and sort keys) and the problem body. Run with `npm run generate:sdk`;
// packages/sdk/test/generated-types.test.ts fails when the committed file is stale.
import { writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { resolve } from 'node:path'

type Schema = Record<string, any>

export const SDK_TYPES_FILE = resolve(fileURLToPath(import.meta.url), '../../packages/sdk/src/generated/types.ts')

/** Descriptions become JSDoc; a stray comment terminator would end it early. */
function doc (lines: Array<string | undefined>, indent: string): string {
  const text = lines.filter((l): l is string => typeof l === 'string' && l !== '').map((l) => l.replace(/\*\//g, '*\\/'))
  if (text.length === 0) return ''
  if (text.length === 1) return `${indent}/** ${text[0]} */\n`
  return `${indent}/**\n${text.map((l) => `${indent} * ${l}`).join('\n')}\n${indent} */\n`
}

function constraints (schema: Schema): string | undefined {
  const parts: string[] = []
  if (schema.format) parts.push(`format ${schema.format}`)
  if (schema.pattern) parts.push(`pattern \`${schema.pattern}\``)
  if (schema.minimum !== undefined || schema.maximum !== undefined) parts.push(`range ${schema.minimum ?? '…'}–${schema.maximum ?? '…'}`)
  if (schema.maxLength !== undefined) parts.push(`at most ${schema.maxLength} characters`)
  if (schema.maxItems !== undefined) parts.push(`at most ${schema.maxItems} items`)
  if (schema.uniqueItems) parts.push('unique items')
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`)
  if (schema.readOnly) parts.push('read-only')
  return parts.length > 0 ? `(${parts.join('; ')})` : undefined
}

const key = (name: string) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name)

/** A JSON Schema (the subset the service emits) as a TypeScript type. */
export function tsType (schema: Schema, indent = ''): string {
  if (schema.$ref) return String(schema.$ref).split('/').pop()!
  if (Array.isArray(schema.enum)) return schema.enum.map((v: unknown) => JSON.stringify(v)).join(' | ')
  const types: string[] = schema.type === undefined ? [] : [schema.type].flat()
  if (types.length === 0) return schema.properties || schema.additionalProperties ? objectType(schema, indent) : 'unknown'
  const out = types.map((type) => {
    switch (type) {
      case 'string': return 'string'
      case 'number': case 'integer': return 'number'
      case 'boolean': return 'boolean'
      case 'null': return 'null'
      case 'array': {
        const item = tsType(schema.items ?? {}, indent)
        return /[ |&]/.test(item) && !item.startsWith('{') ? `Array<${item}>` : `${item}[]`
      }
      case 'object': return objectType(schema, indent)
      default: throw new Error(`unsupported JSON Schema type ${type}`)
    }
  })
  return out.join(' | ')
}

function objectType (schema: Schema, indent: string): string {
  const inner = `${indent}  `
  const required = new Set<string>(schema.required ?? [])
  const lines: string[] = []
  for (const [name, prop] of Object.entries<Schema>(schema.properties ?? {})) {
    lines.push(`${doc([prop.description, constraints(prop)], inner)}${inner}${key(name)}${required.has(name) ? '' : '?'}: ${tsType(prop, inner)}`)
  }
  const extra = schema.additionalProperties
  if (extra === true || (typeof extra === 'object' && extra !== null)) {
    lines.push(`${inner}[key: string]: ${extra === true ? 'unknown' : tsType(extra, inner)}`)
  }
  if (lines.length === 0) return 'Record<string, never>'
  return `{\n${lines.join('\n')}\n${indent}}`
}

function declaration (name: string, schema: Schema): string {
  const body = tsType(schema)
  const comment = doc([schema.description], '')
  return body.startsWith('{') ? `${comment}export interface ${name} ${body}\n` : `${comment}export type ${name} = ${body}\n`
}

interface Operation { path: string, method: string, op: Schema }

function operationsOf (document: Schema): Operation[] {
  const out: Operation[] = []
  for (const [path, methods] of Object.entries<Schema>(document.paths)) {
    for (const [method, op] of Object.entries<Schema>(methods)) out.push({ path, method, op })
  }
  return out
}

/** One query parameter group: a field and the operators its bracket parameters offer. */
interface FilterGroup { field: string, ops: Map<string, Schema>, description?: string }

const FILTER = /^([a-z_]+)\[([a-z]+)\]$/
const OP_ORDER = ['eq', 'in', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists']

/** Scalar filter values: date-time fields also take a Date, serialised with toISOString(). */
function filterValueType (schema: Schema): string {
  const base = tsType(schema)
  return schema.format === 'date-time' ? `${base} | Date` : base
}

function listParamsType (name: string, op: Schema, sortName: string): string {
  const lines: string[] = []
  const filters = new Map<string, FilterGroup>()
  const plain = new Map<string, Schema>()
  for (const p of op.parameters ?? []) {
    if (p.in !== 'query') continue
    const m = FILTER.exec(p.name)
    if (m) {
      const group = filters.get(m[1]!) ?? { field: m[1]!, ops: new Map() }
      group.ops.set(m[2]!, p.schema)
      filters.set(m[1]!, group)
    } else plain.set(p.name, p)
  }
  for (const [param, p] of plain) {
    if (p.description?.startsWith('Filter:')) {
      const group = filters.get(param) ?? { field: param, ops: new Map() }
      group.ops.set('eq', p.schema)
      filters.set(param, group)
      continue
    }
    const type = param === 'sort' ? `Sort<${sortName}>` : tsType(p.schema)
    lines.push(`${doc([p.description, constraints(p.schema)], '  ')}  ${key(param)}?: ${type}`)
  }
  for (const group of [...filters.values()].sort((a, b) => a.field.localeCompare(b.field))) {
    const eq = group.ops.get('eq') ?? group.ops.get('ne')
    const scalar = eq ? filterValueType(eq) : 'string'
    const opLines: string[] = []
    const ordered = [...group.ops].sort(([a], [b]) => OP_ORDER.indexOf(a) - OP_ORDER.indexOf(b))
    for (const [opName, schema] of ordered) {
      if (opName === 'eq') opLines.push(`eq?: ${scalar}`)
      else if (opName === 'in') opLines.push(`in?: ReadonlyArray<${scalar}>`)
      else if (opName === 'exists') opLines.push('exists?: boolean')
      else if (opName === 'contains') opLines.push(`contains?: ${tsType(schema)}`)
      else opLines.push(`${opName}?: ${filterValueType(schema)}`)
    }
    const ops = ordered.map(([opName]) => opName)
    const shorthand = group.ops.has('eq') ? `${scalar} | ` : ''
    lines.push(`${doc([`Filter on \`${group.field}\`${group.ops.has('eq') ? ': a value (equality) or' : ' with'} operators ${ops.join(', ')}.`], '  ')}  ${key(group.field)}?: ${shorthand}{ ${opLines.join('; ')} }`)
  }
  return `export interface ${name} {\n${lines.join('\n')}\n}\n`
}

function queryParamsType (name: string, op: Schema): string {
  const lines = (op.parameters ?? []).filter((p: Schema) => p.in === 'query')
    .map((p: Schema) => `${doc([p.description, constraints(p.schema)], '  ')}  ${key(p.name)}?: ${tsType(p.schema)}`)
  return `export interface ${name} {\n${lines.join('\n')}\n}\n`
}

export function renderSdkTypes (document: Schema): string {
  const out: string[] = [
    `// Generated by scripts/generate-sdk-types.ts from GET /openapi.json (${document.info.title} ${document.info.version}).`,
    '// Do not edit: run `npm run generate:sdk`. A test fails when this file is stale.',
    '/* eslint-disable */',
    '',
    '/** A sort key: a field name, or "-" and a field name for descending order. */',
    // eslint-disable-next-line no-template-curly-in-string -- TypeScript source being generated
    'export type SortKey<F extends string> = F | `-${F}`',
    '/** One sort key, or several in order (ties are always broken by id). */',
    'export type Sort<F extends string> = SortKey<F> | ReadonlyArray<SortKey<F>>',
    ''
  ]
  for (const [name, schema] of Object.entries<Schema>(document.components.schemas)) out.push(declaration(name, schema))

  const resources: string[] = []
  for (const tag of document.tags as Schema[]) {
    const title = String(tag.name)
    const sdkName = String(tag['x-sdk']).split('.').pop()!
    resources.push(`  ${sdkName}: { path: ${JSON.stringify(tag['x-rest-path'])}, title: ${JSON.stringify(title)} }`)
    for (const { op } of operationsOf(document).filter((o) => o.op.tags?.includes(title))) {
      const method = String(op['x-sdk-method']).split('.').pop()
      if (method === 'list') {
        const sort = (op.parameters as Schema[]).find((p) => p.name === 'sort')
        const sortName = `${title}SortField`
        out.push(`/** Fields ${title} lists can be sorted by. */\nexport type ${sortName} = ${(sort?.['x-sortable-fields'] as string[]).map((f) => JSON.stringify(f)).join(' | ')}\n`)
        out.push(doc([`Parameters of \`${op['x-sdk-method']}\`: ${op.description ?? ''}`], '') + listParamsType(`${title}ListParams`, op, sortName))
      } else if (method === 'history') {
        out.push(doc([`Parameters of \`${op['x-sdk-method']}\`.`], '') + queryParamsType(`${title}HistoryParams`, op))
      }
    }
  }
  out.push('/** Every resource: its REST path and record type name. */')
  out.push(`export const RESOURCES = {\n${resources.join(',\n')}\n} as const\n`)
  return out.join('\n')
}

async function main (): Promise<void> {
  const { buildOpenApiDocument } = await import('../packages/server/src/http/openapi.ts')
  writeFileSync(SDK_TYPES_FILE, renderSdkTypes(buildOpenApiDocument()))
  console.log(`wrote ${SDK_TYPES_FILE}`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main()
