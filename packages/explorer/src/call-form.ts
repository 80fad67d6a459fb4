import { h, uid } from './dom.ts'
import type { Control } from './inputs.ts'
import { createControl, fieldControl } from './inputs.ts'
import type { Operation, Resource } from './openapi.ts'
import type { CallSpec, ParamValue } from './call-spec.ts'
import type { FilterEditor } from './filters.ts'
import { filterEditor } from './filters.ts'

// The form of one operation, generated from its OpenAPI parameters and body schema: the path id,
// query parameters (and the list's filters), the If-Match / Idempotency-Key headers, and the body
// as a form or as raw JSON.

export interface FieldProblem { field: string, message: string }

export interface CallForm {
  element: HTMLElement
  /** The call as composed; throws FormError when a value cannot be read. */
  read(): CallSpec
  prefill(values: Record<string, string>): void
  /** Marks `errors[].field` of a problem on the matching controls; returns the ones it found. */
  highlight(problems: FieldProblem[]): FieldProblem[]
  clearErrors(): void
}

export class FormError extends Error {
  constructor (readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '))
  }
}

/** `If-Match` → `ifMatch`: the SDK's option names for the header parameters. */
function optionName (header: string): string {
  return header.toLowerCase().replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())
}

interface BodyEditor {
  element: HTMLElement
  read(): Record<string, unknown>
  controls: Control[]
  json: HTMLTextAreaElement
  mode(): 'form' | 'json'
}

function bodyEditor (operation: Operation, onChange: () => void): BodyEditor {
  const isPatch = operation.name === 'update'
  // Create ignores is_deleted (SPEC §3.1); a patch may send it (true deletes, false restores).
  const fields = (operation.body ?? []).filter((f) => isPatch || f.name !== 'is_deleted')
  const controls = fields.map((f) => fieldControl(f, 'body.', isPatch))
  const jsonId = uid('json')
  const json = h('textarea', { id: jsonId, class: 'mono json-body', rows: 12, spellcheck: 'false', 'aria-describedby': `${jsonId}-error` })
  const jsonError = h('p', { class: 'field-error', id: `${jsonId}-error`, hidden: true })
  const formPane = h('div', { class: 'body-form' }, controls.map((c) => c.row))
  const jsonPane = h('div', { class: 'body-json', hidden: true }, h('label', { for: jsonId }, 'Request body (JSON)'), json, jsonError)
  let mode: 'form' | 'json' = 'form'

  const fromForm = (): Record<string, unknown> => {
    const body: Record<string, unknown> = {}
    const problems: FieldProblem[] = []
    for (const c of controls) {
      try {
        const got = c.read()
        if (got.present) body[c.name.slice('body.'.length)] = got.value
      } catch (error) {
        problems.push({ field: c.name.slice('body.'.length), message: (error as Error).message })
      }
    }
    if (problems.length > 0) throw new FormError(problems)
    return body
  }
  const fromJson = (): Record<string, unknown> => {
    if (json.value.trim() === '') return {}
    try {
      const value = JSON.parse(json.value) as unknown
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the body must be a JSON object')
      return value as Record<string, unknown>
    } catch (error) {
      throw new FormError([{ field: '(body)', message: `is not valid JSON: ${(error as Error).message}` }])
    }
  }
  json.addEventListener('input', () => {
    try { fromJson(); jsonError.hidden = true; json.removeAttribute('aria-invalid') } catch (e) {
      jsonError.hidden = false; jsonError.textContent = (e as Error).message; json.setAttribute('aria-invalid', 'true')
    }
  })

  const name = uid('mode')
  const radio = (value: 'form' | 'json', label: string) => {
    const input = h('input', { type: 'radio', name, value, id: `${name}-${value}`, checked: value === 'form' })
    input.addEventListener('change', () => {
      if (!input.checked) return
      try {
        if (value === 'json') {
          json.value = JSON.stringify(fromForm(), null, 2)
        } else {
          const body = fromJson()
          const unknown = Object.keys(body).filter((k) => !controls.some((c) => c.name === `body.${k}`))
          if (unknown.length > 0) throw new FormError([{ field: '(body)', message: `the form has no field ${unknown.join(', ')}; keep editing as JSON` }])
          for (const c of controls) c.write(body[c.name.slice('body.'.length)])
        }
        mode = value
        formPane.hidden = value !== 'form'
        jsonPane.hidden = value !== 'json'
      } catch (error) {
        // Stay in the current mode and say why.
        ;(document.getElementById(`${name}-${mode}`) as HTMLInputElement).checked = true
        jsonError.hidden = false
        jsonError.textContent = (error as Error).message
      }
      onChange()
    })
    return h('label', { class: 'radio', for: `${name}-${value}` }, input, ` ${label}`)
  }

  const element = h('fieldset', { class: 'body-editor' },
    h('legend', {}, isPatch ? 'Merge patch body (RFC 7396): empty fields are left out' : 'Body: empty fields are left out'),
    h('div', { class: 'mode-switch', role: 'radiogroup', 'aria-label': 'Edit the body as' }, radio('form', 'Form'), radio('json', 'JSON')),
    formPane, jsonPane)
  return { element, controls, json, read: () => mode === 'form' ? fromForm() : fromJson(), mode: () => mode }
}

export function callForm (resource: Resource, operation: Operation, onChange: () => void): CallForm {
  const pathControls: Control[] = []
  const queryControls: Control[] = []
  const headerControls: Control[] = []
  for (const p of operation.parameters) {
    // The cursor comes from "Next page", not from typing.
    if (p.name === 'cursor') continue
    const control = createControl(p.schema, {
      name: `${p.in}.${p.name}`,
      label: p.name,
      hint: p.description ?? '',
      required: p.required === true,
      typeLabel: p.in === 'header' ? 'header' : undefined
    })
    if (p.in === 'path') pathControls.push(control)
    else if (p.in === 'query') queryControls.push(control)
    else headerControls.push(control)
  }
  const filters: FilterEditor | null = operation.filters.length > 0 ? filterEditor(operation.filters, onChange) : null
  const body = operation.body ? bodyEditor(operation, onChange) : null
  const all = () => [...pathControls, ...queryControls, ...headerControls, ...(body?.controls ?? [])]

  const section = (legend: string, controls: Control[]) => controls.length === 0 ? null : h('fieldset', {}, h('legend', {}, legend), controls.map((c) => c.row))
  const element = h('div', { class: 'call-form' },
    section('Path', pathControls),
    section('Query', queryControls),
    filters?.element,
    body?.element,
    section('Headers (optional)', headerControls))
  element.addEventListener('input', onChange)
  element.addEventListener('change', onChange)

  const read = (): CallSpec => {
    const problems: FieldProblem[] = []
    const value = (c: Control) => {
      try { return c.read() } catch (error) { problems.push({ field: c.name, message: (error as Error).message }); return { present: false } }
    }
    const spec: CallSpec = { resource, operation, params: {}, options: {} }
    for (const c of pathControls) {
      const got = value(c)
      if (got.present) spec.id = String(got.value)
      else problems.push({ field: c.name, message: 'is required' })
    }
    for (const c of queryControls) {
      const got = value(c)
      if (got.present) spec.params[c.name.slice('query.'.length)] = got.value as ParamValue
    }
    filters?.read(spec.params)
    for (const c of headerControls) {
      const got = value(c)
      if (got.present) (spec.options as Record<string, string>)[optionName(c.name.slice('header.'.length))] = String(got.value)
    }
    if (body) {
      try { spec.body = body.read() } catch (error) { problems.push(...(error as FormError).problems ?? [{ field: '(body)', message: (error as Error).message }]) }
    }
    if (problems.length > 0) throw new FormError(problems)
    return spec
  }

  const clearErrors = () => { for (const c of all()) c.showError(null); filters?.clearErrors() }

  return {
    element,
    read,
    prefill (values) {
      for (const c of [...pathControls, ...queryControls, ...headerControls]) {
        const v = values[c.name.slice(c.name.indexOf('.') + 1)]
        if (v !== undefined) c.write(v)
      }
    },
    highlight (problems) {
      const found: FieldProblem[] = []
      for (const problem of problems) {
        // `evidence.0.kind` → the `evidence` control; query and path errors name the parameter.
        const root = problem.field.split('.')[0]!.replace(/\[.*$/, '')
        const control = all().find((c) => c.name.slice(c.name.indexOf('.') + 1) === root || c.name === problem.field) ?? filters?.controlFor(root) ?? null
        if (!control) continue
        control.showError(`${problem.field}: ${problem.message}`)
        found.push(problem)
      }
      if (body?.mode() === 'json' && problems.length > 0) {
        body.json.setAttribute('aria-invalid', 'true')
      }
      const first = element.querySelector<HTMLElement>('[aria-invalid="true"]')
      first?.focus()
      return found
    },
    clearErrors
  }
}
