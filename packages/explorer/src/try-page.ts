import { codeBlock, h, replace } from './dom.ts'
import type { Domain, Resource } from './openapi.ts'
import type { CallForm } from './call-form.ts'
import { callForm, FormError } from './call-form.ts'
import type { CallSpec } from './call-spec.ts'
import { curlSnippet, sdkSnippet } from './snippets.ts'
import type { Exchange, RunResult } from './run.ts'
import { runCall, runNextPage } from './run.ts'
import { exchangeView, historyTable, outcomeLine, recordsTable } from './output.ts'
import { tryHref } from './docs-pages.ts'
import { getToken } from './token.ts'

// Try it: pick a resource and an operation, fill the generated form (or raw JSON), run it through
// the SDK with your token, and read the request, the response and the same call as code.

function picker (domains: Domain[], resource: Resource, operation: string): HTMLElement {
  const resources = domains.flatMap((d) => d.resources)
  const resourceSelect = h('select', { id: 'pick-resource' }, resources.map((r) => h('option', { value: r.key }, r.sdk)))
  resourceSelect.value = resource.key
  const opSelect = h('select', { id: 'pick-operation' }, resource.operations.map((o) => h('option', { value: o.name }, o.name)))
  opSelect.value = operation
  const go = () => {
    const next = resources.find((r) => r.key === resourceSelect.value)!
    const op = next.operations.some((o) => o.name === opSelect.value) ? opSelect.value : 'list'
    window.location.hash = tryHref(next, op)
  }
  resourceSelect.addEventListener('change', go)
  opSelect.addEventListener('change', go)
  return h('div', { class: 'picker', role: 'group', 'aria-label': 'Resource and operation' },
    h('label', { for: 'pick-resource' }, 'Resource'), resourceSelect,
    h('label', { for: 'pick-operation' }, 'Operation'), opSelect)
}

interface Problem { errors?: Array<{ field: string, message: string }> }

function problemOf (exchange: Exchange | undefined): Problem | null {
  if (!exchange?.responseBody || (exchange.status ?? 0) < 400) return null
  try { return JSON.parse(exchange.responseBody) as Problem } catch { return null }
}

export function tryPage (domains: Domain[], resource: Resource, operationName: string, prefill: Record<string, string>): HTMLElement {
  const operation = resource.operations.find((o) => o.name === operationName) ?? resource.operations[0]!
  const base = window.location.origin
  const code = h('div', { class: 'snippets' })
  const result = h('section', { class: 'result', 'aria-label': 'Result', 'aria-live': 'polite', 'data-testid': 'result' })
  let lastSpec: CallSpec | null = null

  const refreshCode = () => {
    try {
      lastSpec = form.read()
      replace(code, codeBlock('SDK', sdkSnippet(lastSpec, base), 'sdk-snippet'), codeBlock('curl', curlSnippet(lastSpec, base), 'curl-snippet'))
    } catch (error) {
      if (!(error instanceof FormError)) throw error
      // Incomplete input (e.g. no id yet): keep the last good snippets.
      if (!lastSpec) replace(code, h('p', { class: 'muted' }, `The code appears once the form is complete (${error.message}).`))
    }
  }
  const form: CallForm = callForm(resource, operation, refreshCode)
  form.prefill(prefill)

  const recordActions = (record: Record<string, unknown>, exchange: Exchange | undefined): HTMLElement | null => {
    if (typeof record.id !== 'string') return null
    const etag = exchange?.responseHeaders?.find(([k]) => k === 'etag')?.[1]
    const query = (op: string) => {
      const params = new URLSearchParams({ id: record.id as string })
      if (etag && ['update', 'resolve', 'delete', 'restore'].includes(op)) params.set('If-Match', etag)
      return `${tryHref(resource, op)}?${params.toString()}`
    }
    return h('nav', { class: 'record-actions', 'aria-label': 'This record' }, h('span', {}, 'This record: '),
      resource.operations.filter((o) => !['list', 'create'].includes(o.name)).map((o) => h('a', { href: query(o.name), class: 'chip' }, o.name)))
  }

  const show = (run: RunResult, pageNumber: number) => {
    const last = run.exchanges.at(-1)
    const problem = problemOf(last)
    const parts: Array<HTMLElement | null> = [outcomeLine(run)]
    if (problem?.errors && problem.errors.length > 0) {
      const highlighted = form.highlight(problem.errors)
      parts.push(h('ul', { class: 'problem-fields', 'aria-label': 'Fields in error' }, problem.errors.map((e) =>
        h('li', { class: highlighted.includes(e) ? 'marked' : '' }, h('code', {}, e.field), `: ${e.message}`))))
    }
    if (run.page) {
      const rows = run.page.data as Array<Record<string, unknown>>
      parts.push(h('h3', {}, `Page ${pageNumber}`), operation.name === 'history'
        ? historyTable(rows)
        : recordsTable(resource, rows, (id) => {
          window.location.hash = `${tryHref(resource, 'get')}?id=${encodeURIComponent(id)}`
        }))
      if (run.page.hasMore) {
        const page = run.page
        parts.push(h('button', {
          type: 'button',
          class: 'primary',
          'data-testid': 'next-page',
          onclick: async (event: Event) => {
            (event.currentTarget as HTMLButtonElement).disabled = true
            show(await runNextPage(page, run.exchanges), pageNumber + 1)
          }
        }, 'Next page →'))
      }
    } else if (run.value && typeof run.value === 'object') {
      parts.push(recordActions(run.value as Record<string, unknown>, last))
    }
    replace(result, parts, last ? exchangeView(last) : h('p', {}, 'No request left the SDK.'))
  }

  const submit = async (event: Event) => {
    event.preventDefault()
    form.clearErrors()
    const token = getToken()
    if (!token) {
      replace(result, h('p', { class: 'outcome bad', 'data-testid': 'outcome' }, 'Set a token first (the Token button at the top).'))
      document.getElementById('token-button')?.focus()
      return
    }
    let spec: CallSpec
    try {
      spec = form.read()
    } catch (error) {
      if (!(error instanceof FormError)) throw error
      form.highlight(error.problems.map((p) => ({ field: p.field.replace(/^(path|query|header|body)\./, ''), message: p.message })))
      replace(result, h('p', { class: 'outcome bad', 'data-testid': 'outcome' }, `Fix the form first: ${error.message}`))
      return
    }
    runButton.disabled = true
    replace(result, h('p', { class: 'muted' }, 'Running…'))
    try {
      show(await runCall(spec, token), 1)
    } finally {
      runButton.disabled = false
    }
  }

  const runButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'run' }, `Run ${operation.name}`)
  const callFormElement = h('form', { class: 'call', novalidate: true, 'aria-label': `${operation.sdkMethod} parameters` }, form.element, h('div', { class: 'actions' }, runButton,
    h('span', { class: 'muted' }, ' Ctrl+Enter runs it too')))
  callFormElement.addEventListener('submit', (e) => { void submit(e) })
  callFormElement.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) callFormElement.requestSubmit()
  })

  refreshCode()
  return h('article', { class: 'try' },
    h('h1', { tabindex: -1 }, 'Try ', h('code', {}, `${operation.sdkMethod}()`)),
    h('p', { class: 'lead' }, h('span', { class: 'mono method' }, `${operation.method} ${operation.path}`), ` · needs ${operation.scope} · `, operation.summary,
      operation.description ? `. ${operation.description}` : ''),
    picker(domains, resource, operation.name),
    h('div', { class: 'try-grid' }, callFormElement, h('section', { class: 'code-panel', 'aria-label': 'The same call as code' }, h('h2', {}, 'The same call as code'), code)),
    result)
}
