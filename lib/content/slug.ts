/**
 * The one rule for article slugs (`/articles/<slug>`; payments name `article:<slug>`). A module of
 * its own so the proxy can check paths without loading the Markdown renderer.
 */
export const SLUG_RE = /^[a-z0-9][a-z0-9-]{0,120}$/;
