// A tiny element builder. Text always goes in as text nodes (never innerHTML), so nothing the API
// returns can inject markup; handlers are attached with addEventListener, so the page runs under
// a Content-Security-Policy without 'unsafe-inline'.

export type Child = Node | string | number | null | undefined | false | Child[]
type Handler = (event: Event) => void
export type Attrs = Record<string, string | number | boolean | Handler | null | undefined>

export function h<K extends keyof HTMLElementTagNameMap> (tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, ''), value)
    else if (key === 'value' && 'value' in el) (el as HTMLInputElement).value = String(value)
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  append(el, children)
  return el
}

export function append (parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(parent, child)
    else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)))
  }
}

export function replace (parent: Element, ...children: Child[]): void {
  parent.replaceChildren()
  append(parent, children)
}

let counter = 0
/** Unique ids for label/aria wiring. */
export function uid (prefix: string): string {
  counter += 1
  return `${prefix}-${counter}`
}

/** A code block with a Copy button (the clipboard API needs a secure context: localhost is one). */
export function codeBlock (label: string, code: string, testId?: string): HTMLElement {
  const pre = h('pre', { tabindex: 0, 'aria-label': label, ...(testId ? { 'data-testid': testId } : {}) }, h('code', {}, code))
  const status = h('span', { class: 'copy-status', role: 'status' })
  const button = h('button', {
    type: 'button',
    class: 'copy',
    'aria-label': `Copy ${label}`,
    onclick: () => {
      const text = pre.textContent ?? ''
      const done = () => { status.textContent = 'Copied'; setTimeout(() => { status.textContent = '' }, 1500) }
      if (navigator.clipboard) {
        navigator.clipboard.writeText(text).then(done, () => selectText(pre))
      } else {
        selectText(pre)
      }
    }
  }, 'Copy')
  return h('figure', { class: 'code' }, h('figcaption', {}, h('span', {}, label), h('span', { class: 'code-actions' }, status, button)), pre)
}

function selectText (el: Element): void {
  const range = document.createRange()
  range.selectNodeContents(el)
  const selection = window.getSelection()
  selection?.removeAllRanges()
  selection?.addRange(range)
}
