import { codeBlock, h } from './dom.ts'
import type { Child } from './dom.ts'
import type { Exchange, RunResult } from './run.ts'
import type { Resource } from './openapi.ts'

// What a call did: the status line, the request and response exactly as the SDK exchanged them,
// and for lists and history the records as a table (raw JSON stays one click away).

function pretty (body: string | null | undefined): string {
  if (!body) return ''
  try { return JSON.stringify(JSON.parse(body), null, 2) } catch { return body }
}

/** The token is shown shortened: a screenshot or a shared screen must not leak it. */
function redact ([name, value]: [string, string]): [string, string] {
  return name.toLowerCase() === 'authorization' ? [name, value.replace(/^(Bearer\s+.{0,10}).*$/i, '$1…')] : [name, value]
}

function headerTable (caption: string, headers: Array<[string, string]>): HTMLElement {
  return h('table', { class: 'headers' }, h('caption', {}, caption),
    h('tbody', {}, headers.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v)))))
}

export function exchangeView (exchange: Exchange): HTMLElement {
  const ok = (exchange.status ?? 0) < 400
  return h('div', { class: 'exchange' },
    h('section', { 'aria-label': 'Response', class: 'response' },
      h('h3', {}, 'Response ', h('span', { class: `status ${ok ? 'ok' : 'bad'}`, 'data-testid': 'response-status' }, `${exchange.status ?? '—'} ${exchange.statusText ?? ''}`)),
      codeBlock('Response body', pretty(exchange.responseBody), 'response-body'),
      h('details', {}, h('summary', {}, 'Response headers'), headerTable('Response headers', exchange.responseHeaders ?? []))),
    h('section', { 'aria-label': 'Request', class: 'request' },
      h('h3', {}, 'Request'),
      h('p', { class: 'request-line mono', 'data-testid': 'request-line' }, `${exchange.method} ${exchange.url}`),
      h('details', {}, h('summary', {}, 'Request headers'), headerTable('Request headers', exchange.requestHeaders.map(redact))),
      exchange.requestBody ? codeBlock('Request body', pretty(exchange.requestBody), 'request-body') : null))
}

function cell (value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** The columns a person scans first: id, the title, then the record's enums, then when. */
function columns (resource: Resource): string[] {
  const names = resource.fields.map((f) => f.name)
  const enums = resource.fields.filter((f) => f.kind === 'enum' && !f.readOnly && f.name !== 'source_type').map((f) => f.name)
  return ['id', ...['title', 'name'].filter((n) => names.includes(n)).slice(0, 1), ...enums.slice(0, 3), 'updated_at']
}

export function recordsTable (resource: Resource, records: Array<Record<string, unknown>>, onPick: (id: string) => void): HTMLElement {
  if (records.length === 0) return h('p', { class: 'empty' }, 'No records match.')
  const cols = columns(resource)
  return h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Records' },
    h('table', { class: 'records', 'data-testid': 'records' },
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, records.map((r) => h('tr', {}, cols.map((c) => c === 'id'
        ? h('td', {}, h('button', { type: 'button', class: 'link mono', onclick: () => onPick(String(r.id)), title: 'Use this id' }, String(r.id)))
        : h('td', {}, cell(r[c]))))))))
}

export function historyTable (entries: Array<Record<string, unknown>>): HTMLElement {
  if (entries.length === 0) return h('p', { class: 'empty' }, 'No history.')
  const changes = (c: unknown): Child[] => Object.entries((c ?? {}) as Record<string, { from: unknown, to: unknown }>).map(([field, { from, to }]) =>
    h('li', {}, h('code', {}, field), `: ${cell(from)} → ${cell(to)}`))
  return h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'History' },
    h('table', { class: 'records', 'data-testid': 'history' },
      h('thead', {}, h('tr', {}, ['at', 'action', 'actor', 'changes'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, entries.map((e) => h('tr', {},
        h('td', { class: 'mono' }, cell(e.at)), h('td', {}, cell(e.action)), h('td', {}, cell(e.actor)),
        h('td', {}, h('ul', { class: 'changes' }, changes(e.changes))))))))
}

export function outcomeLine (result: RunResult): HTMLElement {
  if (result.error) {
    const e = result.error
    return h('p', { class: 'outcome bad', 'data-testid': 'outcome' },
      `The SDK threw ${e.name}`, e.status ? ` (${e.status}${e.code ? ` ${e.code}` : ''})` : '', `: ${e.message.replace(/^\d{3} /, '')}`,
      e.requestId ? h('span', { class: 'muted' }, ` · request id ${e.requestId}`) : null,
      e.status === 401 ? h('span', { class: 'hint-line' }, 'Check your token: the Token button at the top shows whose it is and when it expires.') : null,
      e.status === 403 ? h('span', { class: 'hint-line' }, 'Your token lacks the scope this operation needs (shown under the title).') : null)
  }
  const last = result.exchanges.at(-1)
  return h('p', { class: 'outcome ok', 'data-testid': 'outcome' }, `${last?.status ?? ''} ${last?.statusText ?? ''} — the SDK returned `,
    result.page
      ? `a page of ${result.page.data.length} record(s)${typeof result.page.total === 'number' ? ` of ${result.page.total} in all` : ''}${result.page.hasMore ? ', more to come' : ''}`
      : 'a record')
}
