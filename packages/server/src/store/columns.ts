import type { FieldDecl } from '../resources/fields.ts'
import type { DialectName } from './database.ts'

// The few differences between SQLite and PostgreSQL in how a field is stored, in one place.
// Date-times are RFC 3339 text on both (lexical order = time order, exact round trip); JSON is
// jsonb on PostgreSQL and JSON text on SQLite; booleans are 0/1 on SQLite.

export function columnType (field: FieldDecl, dialect: DialectName): string {
  switch (field.kind) {
    case 'number':
      return dialect === 'postgres' ? 'double precision' : 'real'
    case 'integer':
      return 'integer'
    case 'boolean':
      return dialect === 'postgres' ? 'boolean' : 'integer'
    case 'id-array':
    case 'string-array':
    case 'json-array':
    case 'json-object':
      return dialect === 'postgres' ? 'jsonb' : 'text'
    default:
      return 'text'
  }
}

export function isJsonKind (field: FieldDecl): boolean {
  return field.kind === 'id-array' || field.kind === 'string-array' || field.kind === 'json-array' || field.kind === 'json-object'
}

/** A record field's value as a bound parameter. */
export function encodeValue (field: FieldDecl, value: unknown, dialect: DialectName): unknown {
  if (value === null || value === undefined) return null
  if (isJsonKind(field)) return JSON.stringify(value)
  if (field.kind === 'boolean' && dialect === 'sqlite') return value ? 1 : 0
  return value
}

/** A column's value as the record field. */
export function decodeValue (field: FieldDecl, value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (isJsonKind(field)) return typeof value === 'string' ? JSON.parse(value) : value
  if (field.kind === 'boolean') return value === true || value === 1
  if (field.kind === 'number' || field.kind === 'integer') return Number(value)
  return value
}
