import { h, replace } from './dom.ts'
import type { Domain, OpenApiDocument } from './openapi.ts'
import { buildDomains } from './openapi.ts'
import { domainPage, resourceHref, resourcePage, tryHref } from './docs-pages.ts'
import { tryPage } from './try-page.ts'
import { themeToggle } from './theme.ts'
import { tokenControl } from './token-dialog.ts'

// The explorer's shell: load /openapi.json, build the model, and route by the URL's hash:
//   #/                          the domain
//   #/vulnerabilities           a resource's documentation
//   #/vulnerabilities/try/list  Try it (query: prefilled parameters, e.g. ?id=vul_…)

function navigation (domains: Domain[]): HTMLElement {
  return h('nav', { class: 'sidebar', 'aria-label': 'Resources' }, domains.map((d) => h('div', {},
    h('a', { href: '#/', class: 'nav-domain' }, d.title),
    h('ul', {}, d.resources.map((r) => h('li', {},
      h('a', { href: resourceHref(r), 'data-nav': r.key }, r.title),
      h('ul', { class: 'nav-ops' }, r.operations.map((o) => h('li', {}, h('a', { href: tryHref(r, o.name), 'data-nav': `${r.key}/${o.name}` }, o.name))))))))),
  h('p', { class: 'nav-foot' }, h('a', { href: '/docs' }, 'OpenAPI reference'), ' · ', h('a', { href: '/openapi.json' }, 'openapi.json')))
}

function route (domains: Domain[], main: HTMLElement): void {
  const hash = window.location.hash
  if (hash && !hash.startsWith('#/')) return
  const [path = '', query = ''] = hash.slice(2).split('?')
  const [key, section, operation] = path.split('/')
  const resource = domains.flatMap((d) => d.resources).find((r) => r.key === key)
  let page: HTMLElement
  if (resource && section === 'try') {
    page = tryPage(domains, resource, operation ?? 'list', Object.fromEntries(new URLSearchParams(query)))
    document.title = `Try ${resource.title} ${operation ?? 'list'} · Posture explorer`
  } else if (resource) {
    page = resourcePage(resource)
    document.title = `${resource.title} · Posture explorer`
  } else {
    page = h('div', {}, domains.map(domainPage))
    document.title = 'Posture explorer'
  }
  replace(main, page)
  for (const link of document.querySelectorAll<HTMLAnchorElement>('.sidebar a[data-nav]')) {
    const current = link.dataset.nav === (section === 'try' ? `${key}/${operation ?? 'list'}` : key)
    if (current) link.setAttribute('aria-current', 'page')
    else link.removeAttribute('aria-current')
  }
  // Move focus to the new page's heading so keyboard and screen-reader users land on it.
  if (hash) main.querySelector<HTMLElement>('h1')?.focus()
}

async function start (): Promise<void> {
  const main = document.getElementById('main')!
  const header = document.getElementById('header-actions')!
  header.append(tokenControl(), themeToggle())
  const skip = document.getElementById('skip-link')!
  skip.addEventListener('click', (event) => { event.preventDefault(); main.focus() })
  let doc: OpenApiDocument
  try {
    const response = await fetch('/openapi.json', { headers: { accept: 'application/json' } })
    if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`)
    doc = await response.json() as OpenApiDocument
  } catch (error) {
    replace(main, h('p', { class: 'outcome bad' }, `Could not load the API description: ${(error as Error).message}`))
    return
  }
  const domains = buildDomains(doc)
  document.getElementById('sidebar-slot')!.replaceWith(navigation(domains))
  window.addEventListener('hashchange', () => route(domains, main))
  route(domains, main)
  document.body.dataset.ready = 'true'
}

void start()
