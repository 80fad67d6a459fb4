// List parameters → the REST query of SPEC §4: `field=v` for equality, `field[op]=v` for an
// operator, `in` values comma-joined, sort keys comma-joined, Dates as RFC 3339 (toISOString).

export type QueryValue = string | number | boolean | Date | null | undefined | ReadonlyArray<string | number | boolean | Date> | { readonly [op: string]: unknown }

function scalar (name: string, value: unknown): string {
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw new TypeError(`List parameter ${name}: ${JSON.stringify(value)} is not a string, number, boolean or Date`)
}

function joined (name: string, values: ReadonlyArray<unknown>): string {
  return values.map((v) => {
    const text = scalar(name, v)
    // The server splits `in` lists on commas; a value containing one cannot be expressed.
    if (text.includes(',')) throw new TypeError(`List parameter ${name}: ${JSON.stringify(text)} contains a comma`)
    return text
  }).join(',')
}

/** The query pairs for a list call; undefined (and null) values are left out. */
export function toQuery (params: object | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null) continue
    if (Array.isArray(value)) {
      // Arrays appear only where the server takes a list: sort keys.
      out.push([name, joined(name, value)])
    } else if (typeof value === 'object' && !(value instanceof Date)) {
      for (const [op, operand] of Object.entries(value as Record<string, unknown>)) {
        if (operand === undefined) continue
        const key = op === 'eq' ? name : `${name}[${op}]`
        out.push([key, Array.isArray(operand) ? joined(key, operand) : scalar(key, operand)])
      }
    } else {
      out.push([name, scalar(name, value)])
    }
  }
  return out
}

export function queryString (params: object | undefined): string {
  const search = new URLSearchParams(toQuery(params))
  const text = search.toString()
  return text === '' ? '' : `?${text}`
}
