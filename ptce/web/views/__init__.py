"""Views by area: `pages` (home), `territories`, `accounts`. Thin: parse, check, call, render."""
