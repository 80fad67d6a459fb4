import { h, uid } from './dom.ts'
import type { Field, Schema, ValueKind } from './openapi.ts'
import { valueKind } from './openapi.ts'

// One form control per value kind, chosen from the field's JSON Schema: enums as selects, dates
// as date-time pickers, numbers as number inputs, JSON as a textarea validated as you type.

export type ControlElement = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement

export interface Control {
  name: string
  kind: ValueKind
  element: ControlElement
  /** The whole row (label, control, hint, error), for highlighting. */
  row: HTMLElement
  /** Present: the value to send. Absent: leave the field out. Throws a message when unparsable. */
  read(): { present: boolean, value?: unknown }
  write(value: unknown): void
  showError(message: string | null): void
}

/** `2026-01-01T00:00:00.000Z` ↔ the value of a datetime-local input, read as UTC. */
export function toLocalInput (iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().replace(/Z$/, '')
}

export function fromLocalInput (value: string): string {
  const withSeconds = /T\d\d:\d\d$/.test(value) ? `${value}:00` : value
  return new Date(`${withSeconds}Z`).toISOString()
}

function element (kind: ValueKind, schema: Schema, id: string, describedBy: string, multiple = false): ControlElement {
  const common = { id, 'aria-describedby': describedBy }
  switch (kind) {
    case 'enum': {
      const values = (schema.enum ?? []).filter((v): v is string => typeof v === 'string')
      return h('select', { ...common, multiple }, multiple ? null : h('option', { value: '' }, '— not set —'), values.map((v) => h('option', { value: v }, v)))
    }
    case 'boolean':
      return h('select', common, h('option', { value: '' }, '— not set —'), h('option', { value: 'true' }, 'true'), h('option', { value: 'false' }, 'false'))
    case 'datetime':
      return h('input', { ...common, type: 'datetime-local', step: '0.001' })
    case 'number': case 'integer':
      return h('input', { ...common, type: 'number', inputmode: 'decimal', step: kind === 'integer' ? 1 : 'any', min: schema.minimum, max: schema.maximum })
    case 'text':
      return h('textarea', { ...common, rows: 3, maxlength: schema.maxLength })
    case 'json':
      return h('textarea', { ...common, rows: 3, spellcheck: 'false', class: 'mono', placeholder: (schema.type === 'object' || [schema.type].flat().includes('object')) ? '{ }' : '[ ]' })
    case 'string-list':
      return h('input', { ...common, type: 'text', placeholder: 'comma-separated', autocomplete: 'off' })
    default:
      return h('input', { ...common, type: 'text', maxlength: schema.maxLength, pattern: schema.pattern, autocomplete: 'off', spellcheck: 'false' })
  }
}

function parse (kind: ValueKind, raw: string, el: ControlElement): unknown {
  switch (kind) {
    case 'enum':
      return el instanceof HTMLSelectElement && el.multiple ? [...el.selectedOptions].map((o) => o.value) : raw
    case 'boolean': return raw === 'true'
    case 'number': case 'integer': {
      const n = Number(raw)
      if (!Number.isFinite(n)) throw new Error('must be a number')
      return n
    }
    case 'datetime': return fromLocalInput(raw)
    case 'string-list': return raw.split(/[,\n]/).map((s) => s.trim()).filter(Boolean)
    case 'json':
      try {
        return JSON.parse(raw)
      } catch (error) {
        throw new Error(`is not valid JSON: ${(error as Error).message}`)
      }
    default: return raw
  }
}

function render (kind: ValueKind, value: unknown): string {
  if (value === undefined || value === null) return ''
  if (kind === 'datetime') return toLocalInput(String(value))
  if (kind === 'string-list' && Array.isArray(value)) return value.join(', ')
  if (kind === 'json') return JSON.stringify(value, null, 2)
  return String(value)
}

export interface ControlOptions {
  label: string
  typeLabel?: string
  hint?: string
  enumValues?: string[]
  required?: boolean
  /** Offer "null" (merge patch: clear the field). */
  nullable?: boolean
  multiple?: boolean
  name: string
}

export function createControl (schema: Schema, options: ControlOptions, kind: ValueKind = valueKind(schema)): Control {
  const id = uid('f')
  const hintId = `${id}-hint`
  const errorId = `${id}-error`
  const el = element(kind, schema, id, `${hintId} ${errorId}`, options.multiple)
  el.name = options.name
  el.dataset.name = options.name
  if (options.required) el.required = true
  const error = h('p', { class: 'field-error', id: errorId, hidden: true })
  const nullBox = options.nullable ? h('input', { type: 'checkbox', id: `${id}-null`, class: 'null-box' }) : null
  const row = h('div', { class: 'field-row', 'data-field': options.name },
    h('label', { for: id }, h('span', { class: 'field-name' }, options.label), options.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null,
      options.typeLabel ? h('span', { class: 'type' }, options.typeLabel) : null),
    el,
    nullBox ? h('label', { class: 'null-label', for: `${id}-null` }, nullBox, ' send null (clear it)') : null,
    h('p', { class: 'hint', id: hintId }, options.hint ?? '', options.enumValues && options.enumValues.length > 0 && kind !== 'enum' ? ` One of: ${options.enumValues.join(', ')}.` : ''),
    error)
  const showError = (message: string | null) => {
    error.hidden = message === null
    error.textContent = message ?? ''
    row.classList.toggle('invalid', message !== null)
    if (message === null) el.removeAttribute('aria-invalid')
    else el.setAttribute('aria-invalid', 'true')
  }
  if (nullBox) nullBox.addEventListener('change', () => { el.disabled = nullBox.checked })
  if (kind === 'json') {
    // Validation as you type: the textarea says at once when its JSON does not parse.
    el.addEventListener('input', () => {
      if (el.value.trim() === '') return showError(null)
      try { JSON.parse(el.value); showError(null) } catch (e) { showError(`Not valid JSON: ${(e as Error).message}`) }
    })
  }
  return {
    name: options.name,
    kind,
    element: el,
    row,
    read () {
      if (nullBox?.checked) return { present: true, value: null }
      const multiple = el instanceof HTMLSelectElement && el.multiple
      const raw = multiple ? (el.selectedOptions.length > 0 ? 'x' : '') : el.value.trim()
      if (raw === '') return { present: false }
      return { present: true, value: parse(kind, multiple ? '' : raw, el) }
    },
    write (value: unknown) {
      if (nullBox) { nullBox.checked = value === null; el.disabled = value === null }
      if (el instanceof HTMLSelectElement && el.multiple) {
        const chosen = new Set(Array.isArray(value) ? value.map(String) : [])
        for (const option of el.options) option.selected = chosen.has(option.value)
      } else {
        el.value = render(kind, value)
      }
    },
    showError
  }
}

/** A body field's control, from the OpenAPI field model. */
export function fieldControl (field: Field, prefix: string, allowNull: boolean): Control {
  return createControl(field.schema, {
    name: `${prefix}${field.name}`,
    label: field.name,
    typeLabel: field.typeLabel,
    hint: field.description,
    enumValues: field.enumValues,
    nullable: allowNull && field.nullable
  }, field.kind)
}
