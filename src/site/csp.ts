// The Content-Security-Policy every published page carries (the site's pages and
// the embed pages). The report is self-contained: everything comes from its own
// origin, and no inline script runs at all: the site's only script is an external
// module. Inline styles stay allowed: Plot writes a <style> into each chart and
// style attributes into its marks, and styles cannot run code. A <meta> policy
// cannot set frame-ancestors, which is what lets a bank embed the charts.
export const CSP_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
] as const;

export const CONTENT_SECURITY_POLICY = CSP_DIRECTIVES.join('; ');
