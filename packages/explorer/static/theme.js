// Applies the theme the user chose before the first paint (a file, not an inline script: the
// Content-Security-Policy allows scripts from this origin only).
try {
  const theme = localStorage.getItem('posture.explorer.theme')
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme
} catch (e) {}
