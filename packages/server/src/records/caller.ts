/**
 * Who is calling, as established by authentication. Created once per request by http/auth.ts and
 * passed down explicitly: every store query is scoped by it, so isolation does not depend on each
 * route remembering to filter.
 */
export interface Caller {
  tenantId: string
  /** Present only for Application (integration) tokens; scopes reads and writes to its records. */
  appId: string | null
  sub: string
  scopes: ReadonlySet<string>
}

export const SCOPES = {
  read: 'risk:read',
  write: 'risk:write',
  accept: 'risk:accept'
} as const

export const ALL_SCOPES = [SCOPES.read, SCOPES.write, SCOPES.accept].join(' ')
