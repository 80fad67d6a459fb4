// The vocabulary a resource is declared with. Everything else — request validation, response
// serialization, the OpenAPI document, database columns and the list query's allow-lists — is
// derived from these declarations (see docs/ARCHITECTURE.md).

export type FieldKind =
  | 'string' // short or long text, `maxLength` bounds it
  | 'id' // an opaque identifier of another domain's record
  | 'enum'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'datetime' // RFC 3339, stored and returned as UTC with milliseconds
  | 'id-array' // unique ids, at most `maxItems`
  | 'string-array' // free strings (tags), at most `maxItems` of `maxLength`
  | 'json-array' // an array of JSON objects, at most `maxBytes` serialized
  | 'json-object' // a JSON object, at most `maxBytes` serialized

export interface FieldDecl {
  name: string
  kind: FieldKind
  description: string
  enum?: readonly string[]
  maxLength?: number
  minimum?: number
  maximum?: number
  maxItems?: number
  maxBytes?: number
  /** Set by the server; ignored when a client sends it. */
  readOnly?: boolean
  /** The field is another name for `aliasOf`: one value, two names (no column of its own). */
  aliasOf?: string
  /** Values are ids of this tenant's records of the named resource; unknown ids → 422. */
  refersTo?: ResourceName
  /**
   * The relation lives in a link table (see store/schema.ts) rather than on the row, so both sides
   * of a two-sided relation read the same rows and cannot disagree.
   */
  link?: LinkDecl
  /** Not stored as a column: computed for every response (e.g. nothing today). */
  filterable?: boolean
  sortable?: boolean
  /** Part of the resource's full-text document (`search=`, SPEC §4). */
  searchable?: boolean
  /**
   * Enums sort by rank, not alphabetically: these values from lowest to highest (default: the
   * declared order). `sort=-severity` puts critical first.
   */
  sortRank?: readonly string[]
  /** An example value for documentation. */
  example?: unknown
}

export interface LinkDecl {
  table: string
  /** The column naming this record in the link table. For a symmetric link, both columns. */
  self: string
  other: string
  symmetric?: boolean
}

export type ResourceName = 'vulnerability' | 'compliance_control' | 'risk_item'

export type Operation = 'list' | 'get' | 'create' | 'update' | 'delete' | 'restore' | 'history' | 'resolve'

/** Field builders keep the declarations short and uniform. */
export const f = {
  string: (name: string, maxLength: number, description: string, extra: Partial<FieldDecl> = {}): FieldDecl => ({
    name,
    kind: 'string',
    maxLength,
    description,
    ...extra
  }),
  id: (name: string, description: string, extra: Partial<FieldDecl> = {}): FieldDecl => ({
    name,
    kind: 'id',
    maxLength: 255,
    description,
    filterable: true,
    ...extra
  }),
  enum: (name: string, values: readonly string[], description: string, extra: Partial<FieldDecl> = {}): FieldDecl => ({
    name,
    kind: 'enum',
    enum: values,
    description,
    filterable: true,
    sortable: true,
    ...extra
  }),
  number: (name: string, minimum: number, maximum: number, description: string, extra: Partial<FieldDecl> = {}): FieldDecl => ({
    name,
    kind: 'number',
    minimum,
    maximum,
    description,
    filterable: true,
    sortable: true,
    ...extra
  }),
  datetime: (name: string, description: string, extra: Partial<FieldDecl> = {}): FieldDecl => ({
    name,
    kind: 'datetime',
    description,
    filterable: true,
    sortable: true,
    ...extra
  }),
  ids: (name: string, description: string, extra: Partial<FieldDecl> = {}): FieldDecl => ({
    name,
    kind: 'id-array',
    maxItems: 1000,
    description,
    filterable: true,
    ...extra
  })
}

/** Limits shared by the declarations. */
export const LIMITS = {
  titleLength: 500,
  textLength: 65_536,
  idLength: 255
} as const
