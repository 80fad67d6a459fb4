// Light and dark: the system's preference by default, or the user's choice from the toggle
// (kept in localStorage). static/theme.js applies a saved choice before the first paint.

const KEY = 'posture.explorer.theme'

function current (): 'light' | 'dark' {
  const chosen = document.documentElement.dataset.theme
  if (chosen === 'light' || chosen === 'dark') return chosen
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

export function themeToggle (): HTMLButtonElement {
  const button = document.createElement('button')
  button.type = 'button'
  button.className = 'theme-toggle'
  const render = () => {
    const dark = current() === 'dark'
    button.setAttribute('aria-pressed', String(dark))
    button.textContent = dark ? '☾ Dark' : '☀ Light'
    button.setAttribute('aria-label', 'Dark theme')
  }
  button.addEventListener('click', () => {
    const next = current() === 'dark' ? 'light' : 'dark'
    document.documentElement.dataset.theme = next
    localStorage.setItem(KEY, next)
    render()
  })
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', render)
  render()
  return button
}
