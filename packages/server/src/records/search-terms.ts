import { problem } from '../errors.ts'

// How `search` text becomes terms, the same on both backends (docs/LISTS.md "Search"): text is
// lower-cased and cut at every character that is not a Unicode letter or digit, so
// "CVE-2024-3094" is the tokens cve 2024 3094, "A.9.2.1" is a 9 2 1 and "log4j" stays log4j.
// A search word made of several tokens must match them as a phrase (adjacent, in order), so
// "CVE-2024-3094" does not match a record that merely mentions 2024 and 3094 somewhere.
// Every word must match (AND). SQLite's FTS5 unicode61 tokenizer and PostgreSQL's 'simple'
// configuration over the same normalised text index the documents exactly this way.

export const MAX_SEARCH_LENGTH = 500
export const MAX_SEARCH_WORDS = 32

const TOKEN = /[\p{L}\p{N}]+/gu

/** The tokens of a text, as both indexes see it. */
export function tokenize (text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? []
}

/** `search` → one phrase (list of tokens) per whitespace-separated word; null when blank. */
export function parseSearch (raw: string): string[][] | null {
  if (raw.trim() === '') return null
  if (raw.length > MAX_SEARCH_LENGTH) throw problem.invalidField('search', `must be at most ${MAX_SEARCH_LENGTH} characters`)
  const phrases = raw.trim().split(/\s+/).map(tokenize).filter((tokens) => tokens.length > 0)
  if (phrases.length === 0) throw problem.invalidField('search', 'must contain a letter or a digit')
  if (phrases.length > MAX_SEARCH_WORDS) throw problem.invalidField('search', `takes at most ${MAX_SEARCH_WORDS} words`)
  return phrases
}

/** FTS5 query: each phrase quoted (tokens are letters and digits only), implicit AND between. */
export function fts5Query (phrases: string[][]): string {
  return phrases.map((tokens) => `"${tokens.join(' ')}"`).join(' ')
}

/** PostgreSQL tsquery: tokens of a phrase joined by <-> (followed by), phrases by &. */
export function tsQuery (phrases: string[][]): string {
  return phrases.map((tokens) => (tokens.length === 1 ? tokens[0]! : `(${tokens.join(' <-> ')})`)).join(' & ')
}
