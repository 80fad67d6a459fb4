import { h, uid } from './dom.ts'
import type { Control } from './inputs.ts'
import { createControl } from './inputs.ts'
import type { Filter, Schema, ValueKind } from './openapi.ts'
import { valueKind } from './openapi.ts'
import type { ParamValue } from './call-spec.ts'

// The list's filters (SPEC §4) as rows of field · operator · value, built from the `field[op]`
// query parameters the OpenAPI document declares. Values come out in the SDK's shape:
// `{ severity: 'critical', cvss_score: { gte: 9 }, status: { in: ['open', 'in_progress'] } }`.

const OPERATOR_LABEL: Record<string, string> = {
  eq: '= equals', ne: '≠ not', in: 'in (any of)', gt: '> after / above', gte: '≥', lt: '< before / below', lte: '≤', exists: 'exists', contains: 'contains'
}

interface Row {
  element: HTMLElement
  field: HTMLSelectElement
  operator: HTMLSelectElement
  value: Control | null
}

export interface FilterEditor {
  element: HTMLElement
  read(into: Record<string, ParamValue>): void
  add(field: string, operator: string, value: unknown): void
  /** The value control of the filter on `field`, for error highlighting. */
  controlFor(field: string): Control | null
  clearErrors(): void
}

function valueControl (filter: Filter, operator: string, name: string): Control {
  let schema: Schema = filter.schema
  let kind: ValueKind = valueKind(schema)
  if (operator === 'exists') { schema = { type: 'boolean' }; kind = 'boolean' }
  if (operator === 'contains') { schema = { type: 'string' }; kind = 'string' }
  if (operator === 'in' && kind !== 'enum') { schema = { type: 'string' }; kind = 'string-list' }
  return createControl(schema, { name, label: 'value', multiple: operator === 'in' && kind === 'enum' }, kind)
}

export function filterEditor (filters: Filter[], onChange: () => void): FilterEditor {
  const rows: Row[] = []
  const list = h('div', { class: 'filters' })
  const byName = new Map(filters.map((f) => [f.field, f]))

  const addRow = (fieldName = filters[0]?.field ?? '', operator = 'eq', value?: unknown) => {
    const id = uid('filter')
    const field = h('select', { id: `${id}-field`, 'aria-label': 'Filter field' }, filters.map((f) => h('option', { value: f.field }, f.field)))
    field.value = fieldName
    const op = h('select', { id: `${id}-op`, 'aria-label': 'Operator' })
    const valueSlot = h('div', { class: 'filter-value' })
    const row: Row = { element: h('div', { class: 'filter-row', role: 'group', 'aria-label': 'Filter' }), field, operator: op, value: null }
    const setOperators = (selected: string) => {
      const filter = byName.get(field.value)!
      op.replaceChildren(...filter.operators.map((o) => h('option', { value: o }, OPERATOR_LABEL[o] ?? o)))
      op.value = filter.operators.includes(selected) ? selected : filter.operators[0]!
    }
    const setValue = (v?: unknown) => {
      row.value = valueControl(byName.get(field.value)!, op.value, `filter.${field.value}`)
      row.value.element.setAttribute('aria-label', `Value for ${field.value}`)
      if (v !== undefined) row.value.write(v)
      valueSlot.replaceChildren(row.value.element, row.value.row.querySelector('.field-error')!)
    }
    field.addEventListener('change', () => { setOperators(op.value); setValue(); onChange() })
    op.addEventListener('change', () => { setValue(); onChange() })
    const remove = h('button', {
      type: 'button',
      class: 'secondary small',
      'aria-label': 'Remove filter',
      onclick: () => { rows.splice(rows.indexOf(row), 1); row.element.remove(); onChange() }
    }, 'Remove')
    setOperators(operator)
    setValue(value)
    row.element.append(field, op, valueSlot, remove)
    rows.push(row)
    list.append(row.element)
  }

  const element = h('fieldset', { class: 'filter-editor' },
    h('legend', {}, 'Filters'),
    list,
    h('button', { type: 'button', class: 'secondary small', onclick: () => { addRow(); onChange(); (rows.at(-1)?.field)?.focus() } }, '+ Add filter'))

  return {
    element,
    read (into) {
      for (const row of rows) {
        const got = row.value?.read()
        if (!got?.present) continue
        const field = row.field.value
        const op = row.operator.value
        const value = got.value as ParamValue
        if (op === 'eq' && into[field] === undefined) {
          into[field] = value
        } else {
          const existing = into[field]
          const ops: Record<string, string | number | boolean | string[]> = typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? existing : (existing === undefined ? {} : { eq: existing as string })
          ops[op] = value as string
          into[field] = ops
        }
      }
    },
    add: (field, operator, value) => addRow(field, operator, value),
    controlFor: (field) => rows.find((r) => r.field.value === field)?.value ?? null,
    clearErrors: () => { for (const r of rows) r.value?.showError(null) }
  }
}
