import { codeBlock, h } from './dom.ts'
import type { Domain, Field, Resource } from './openapi.ts'
import { jsLiteral } from './snippets.ts'

// The documentation pages, as the seed lays them out: the domain with its SDK namespaces, and per
// resource its description, REST path, operations, SDK snippets for list and create, and the
// field table — all read from the OpenAPI document.

export const tryHref = (resource: Resource, operation: string) => `#/${resource.key}/try/${operation}`
export const resourceHref = (resource: Resource) => `#/${resource.key}`

/** `client.risk.vulnerabilities` is also `client.vulnerabilities` (SPEC §3). */
function aliasOf (resource: Resource): string {
  return `client.${resource.sdk.split('.').pop()}`
}

export function domainPage (domain: Domain): HTMLElement {
  return h('article', { class: 'doc' },
    h('p', { class: 'eyebrow mono' }, `x-cpod-domain: ${domain.id}`),
    h('h1', { tabindex: -1 }, domain.title),
    h('p', { class: 'lead' }, domain.description),
    h('p', { class: 'try-links' }, h('span', {}, 'Try in explorer '),
      h('a', { href: domain.resources[0] ? tryHref(domain.resources[0], 'list') : '#/', class: 'mono' }, domain.sdk),
      domain.resources.flatMap((r) => [' · ', h('a', { href: tryHref(r, 'list'), class: 'mono' }, aliasOf(r))])),
    h('div', { class: 'cards' }, domain.resources.map((r) => h('section', { class: 'card', 'aria-labelledby': `card-${r.key}` },
      h('h2', { id: `card-${r.key}` }, h('a', { href: resourceHref(r) }, r.title)),
      h('p', {}, r.description),
      h('dl', { class: 'facts' }, h('dt', {}, 'REST path'), h('dd', { class: 'mono' }, r.restPath), h('dt', {}, 'SDK'), h('dd', { class: 'mono' }, r.sdk)),
      operationChips(r)))))
}

function operationChips (resource: Resource): HTMLElement {
  return h('ul', { class: 'chips', 'aria-label': `${resource.title} operations` }, resource.operations.map((op) =>
    h('li', {}, h('a', { href: tryHref(resource, op.name), class: 'chip', title: `${op.method} ${op.path} · needs ${op.scope}` }, op.name))))
}

/** The create example: the writable fields that carry an example value in the document. */
export function createExample (resource: Resource): Record<string, unknown> {
  const create = resource.operations.find((o) => o.name === 'create')
  const example: Record<string, unknown> = {}
  for (const field of create?.body ?? []) {
    const value = field.schema.examples?.[0]
    if (value !== undefined) example[field.name] = value
  }
  return example
}

export function sdkOverview (resource: Resource): string {
  const lines = []
  if (resource.operations.some((o) => o.name === 'list')) {
    lines.push('// list — returns only your records; add filters/search:', `await ${resource.sdk}.list()`)
  }
  if (resource.operations.some((o) => o.name === 'create')) {
    lines.push('', '// create:', `await ${resource.sdk}.create(${jsLiteral(createExample(resource))})`)
  }
  return lines.join('\n')
}

function fieldRow (field: Field): HTMLElement {
  return h('tr', { 'data-field': field.name },
    h('th', { scope: 'row', class: 'mono' }, field.name, field.required ? h('span', { class: 'req', title: 'always set, never null' }, '*') : null),
    h('td', { class: 'mono' }, field.typeLabel, field.nullable ? h('span', { class: 'muted' }, ' | null') : null),
    h('td', {}, field.readOnly ? h('span', { class: 'badge' }, 'read-only') : ''),
    h('td', {}, h('p', {}, field.description),
      field.enumValues.length > 0 ? h('ul', { class: 'enum', 'aria-label': 'Values' }, field.enumValues.map((v) => h('li', { class: 'mono' }, v))) : null))
}

export function fieldTable (resource: Resource): HTMLElement {
  return h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': `${resource.title} fields` },
    h('table', { class: 'fields', 'data-testid': 'field-table' },
      h('caption', {}, `${resource.title} fields. `, h('span', { class: 'req' }, '*'), ' always set and never null. No field is required on create; read-only fields are set by the server and ignored when sent.'),
      h('thead', {}, h('tr', {}, ['Field', 'Type', 'Read-only', 'Description'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, resource.fields.map(fieldRow))))
}

export function resourcePage (resource: Resource): HTMLElement {
  return h('article', { class: 'doc' },
    h('h1', { tabindex: -1 }, resource.title),
    h('p', { class: 'lead' }, resource.description),
    h('dl', { class: 'facts' }, h('dt', {}, 'REST path'), h('dd', { class: 'mono' }, resource.restPath),
      h('dt', {}, 'SDK'), h('dd', { class: 'mono' }, `${resource.sdk} · ${aliasOf(resource)}`)),
    h('h2', {}, 'Operations'),
    h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Operations' },
      h('table', { class: 'operations' },
        h('thead', {}, h('tr', {}, ['Operation', 'HTTP', 'SDK', 'Scope'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, resource.operations.map((op) => h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: tryHref(resource, op.name) }, op.name)),
          h('td', { class: 'mono' }, `${op.method} ${op.path}`),
          h('td', { class: 'mono' }, `${op.sdkMethod}()`),
          h('td', { class: 'mono' }, op.scope)))))),
    h('h2', {}, 'SDK'),
    codeBlock('SDK snippets', sdkOverview(resource), 'sdk-overview'),
    h('h2', {}, 'Fields'),
    fieldTable(resource))
}
