"""The web layer: what ties the domain to Flask and HTTP — the portal blueprint and its guard,
sessions (the cookie side), security headers, bad input, per-user limits, safe redirects,
downloads and uploads, database set-up and the CLI. Blueprints and admin views build on it;
models and services never import it (make lint checks)."""
