// The caller's token: pasted by the user and kept in sessionStorage (gone when the tab closes),
// never in localStorage or a cookie. The explorer sends it only to this origin, through the SDK.

const KEY = 'posture.explorer.token'

export interface TokenClaims {
  sub?: string
  tenant_id?: string
  app_id?: string
  scope?: string
  exp?: number
}

export function getToken (): string {
  return sessionStorage.getItem(KEY) ?? ''
}

export function setToken (token: string): void {
  const trimmed = token.trim().replace(/^Bearer\s+/i, '')
  if (trimmed) sessionStorage.setItem(KEY, trimmed)
  else sessionStorage.removeItem(KEY)
  window.dispatchEvent(new CustomEvent('posture:token'))
}

/** Reads the claims for display only; the server verifies the signature. */
export function readClaims (token: string): TokenClaims | null {
  const payload = token.split('.')[1]
  if (!payload) return null
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='))
    return JSON.parse(json) as TokenClaims
  } catch {
    return null
  }
}

export interface DevToken {
  token: string
  tenant: string
  sub: string
  scope: string
  expires_at: string
}

/** The development token `npm start` printed; the route exists only in development (http/explorer.ts). */
export async function fetchDevToken (): Promise<DevToken | null> {
  try {
    const response = await fetch('/explorer/dev-token', { headers: { accept: 'application/json' } })
    return response.ok ? await response.json() as DevToken : null
  } catch {
    return null
  }
}
