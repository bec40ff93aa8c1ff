/* global document, matchMedia */
// Runs before the first paint (a blocking classic script, allowed by script-src 'self') so a
// dark-theme user never sees a white flash. React takes over theming once settings load;
// the storage key must match THEME_CACHE_KEY in src/lib/theme.ts.
(function () {
  var theme = 'system';
  try {
    theme = localStorage.getItem('lathe.theme') || 'system';
  } catch {
    // Storage can be disabled; fall back to the system preference.
  }
  var dark = theme === 'dark' || (theme !== 'light' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.classList.toggle('dark', dark);
  document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
})();
