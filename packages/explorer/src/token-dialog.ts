import { h } from './dom.ts'
import type { DevToken } from './token.ts'
import { fetchDevToken, getToken, readClaims, setToken } from './token.ts'

// The token control in the header: paste a token (kept for this tab only), clear it, or — when
// the server runs in development with its own secret — use the token `npm start` printed.

function summary (token: string): string {
  if (!token) return 'No token'
  const claims = readClaims(token)
  if (!claims) return 'Token set (unreadable claims)'
  const expired = typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()
  return `${claims.sub ?? '?'} @ ${claims.tenant_id ?? '?'}${claims.app_id ? ` (app ${claims.app_id})` : ''}${expired ? ' — expired' : ''}`
}

export function tokenControl (): HTMLElement {
  const status = h('span', { class: 'token-status', 'data-testid': 'token-status' })
  const button = h('button', { type: 'button', id: 'token-button', class: 'secondary', 'aria-haspopup': 'dialog' }, 'Token: ', status)
  const input = h('textarea', { id: 'token-input', rows: 4, class: 'mono', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'token-help' })
  const claims = h('p', { class: 'muted', id: 'token-claims' })
  const devSlot = h('div', { class: 'dev-token' })
  const dialog = h('dialog', { 'aria-labelledby': 'token-title', class: 'token-dialog' },
    h('form', { method: 'dialog' },
      h('h2', { id: 'token-title' }, 'Your API token'),
      h('label', { for: 'token-input' }, 'Bearer token (JWT)'),
      input,
      h('p', { id: 'token-help', class: 'hint' }, 'Kept in this tab only (sessionStorage) and sent only to this service, by the SDK. Mint one with ',
        h('code', {}, 'npx posture token --tenant T --sub S'), '.'),
      claims,
      devSlot,
      h('div', { class: 'actions' },
        h('button', { type: 'submit', value: 'save', class: 'primary', 'data-testid': 'token-save' }, 'Save'),
        h('button', { type: 'submit', value: 'clear', class: 'secondary' }, 'Clear'),
        h('button', { type: 'submit', value: 'cancel', class: 'secondary' }, 'Cancel'))))

  const render = () => {
    const token = getToken()
    status.textContent = summary(token)
    button.classList.toggle('missing', !token)
  }
  input.addEventListener('input', () => { claims.textContent = input.value.trim() ? `Claims: ${summary(input.value.trim())}` : '' })
  button.addEventListener('click', () => {
    input.value = getToken()
    claims.textContent = input.value ? `Claims: ${summary(input.value)}` : ''
    dialog.showModal()
    input.focus()
  })
  dialog.addEventListener('close', () => {
    if (dialog.returnValue === 'save') setToken(input.value)
    if (dialog.returnValue === 'clear') setToken('')
    button.focus()
  })
  window.addEventListener('posture:token', render)

  void fetchDevToken().then((dev: DevToken | null) => {
    if (!dev) return
    const use = h('button', { type: 'button', class: 'secondary', 'data-testid': 'use-dev-token' }, 'Use the development token')
    use.addEventListener('click', () => {
      input.value = dev.token
      claims.textContent = `Claims: ${summary(dev.token)}`
    })
    devSlot.append(h('p', { class: 'hint' }, `Development mode: the token npm start printed (tenant "${dev.tenant}", ${dev.scope}, until ${dev.expires_at}).`), use)
  })
  render()
  return h('div', { class: 'token-control' }, button, dialog)
}
