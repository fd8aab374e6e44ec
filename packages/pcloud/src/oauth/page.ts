import { sha256 } from '@authmount/core';
import type { Response } from 'express';
import type { AuthorizeRequest } from './request';

/**
 * The authorize page's HTML: server-rendered, no script at all, every dynamic value escaped. The one
 * stylesheet is inline and allowed by its hash, so the CSP can forbid everything else.
 */

const CSS = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#eef1f5;
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d2330}
main{width:100%;max-width:420px;margin:24px;padding:32px;background:#fff;border-radius:12px;
box-shadow:0 1px 3px rgba(16,24,40,.1),0 8px 24px rgba(16,24,40,.08)}
h1{font-size:1.25rem;line-height:1.35;margin:0 0 8px}
p{margin:0 0 16px}
.muted{color:#5b6474;font-size:.9rem}
.error{padding:10px 12px;margin:0 0 16px;border-radius:8px;background:#fdecec;color:#9b1c1c;font-size:.95rem}
label{display:block;font-weight:600;font-size:.9rem;margin:0 0 12px}
input[type=text],input[type=password]{display:block;width:100%;margin-top:4px;padding:10px 12px;font:inherit;
font-weight:400;border:1px solid #c5ccd6;border-radius:8px}
input:focus{outline:2px solid #2f6fed;outline-offset:1px;border-color:#2f6fed}
.actions{display:flex;flex-direction:row-reverse;gap:12px;margin-top:20px}
button{flex:1;padding:10px 16px;font:inherit;font-weight:600;border-radius:8px;cursor:pointer}
.allow{background:#2f6fed;color:#fff;border:1px solid #2f6fed}
.deny{background:#fff;color:#1d2330;border:1px solid #c5ccd6}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9rem;white-space:nowrap}
.code{display:block;padding:12px;margin:0 0 16px;background:#f3f5f8;border-radius:8px;user-select:all;white-space:normal;word-break:break-all}
`;
const CSS_HASH = `'sha256-${sha256(CSS, 'base64')}'`;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escape text for element content and double- or single-quoted attributes. */
export function esc(v: string): string {
  return v.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** Where a browser may go after submitting the form: this page, and the app's redirect target. */
function formActionSources(redirectUri: string | null): string {
  if (redirectUri === null) return "'self'";
  const u = new URL(redirectUri);
  const target = u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : u.protocol;
  return `'self' ${target}`;
}

/**
 * Send a page with the headers every one of them needs: never cached (it may show a code), never framed
 * (clickjacking on an Allow button is the classic OAuth attack), no script, no referrer leak.
 */
export function sendPage(res: Response, status: number, html: string, redirectUri: string | null = null): void {
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; style-src ${CSS_HASH}; form-action ${formActionSources(redirectUri)}; frame-ancestors 'none'; base-uri 'none'`,
  );
  res.send(html);
}

function hidden(name: string, value: string | null): string {
  return value === null ? '' : `<input type="hidden" name="${name}" value="${esc(value)}">`;
}

/** Where the app sends the user afterwards, as shown to the user (an origin, or the app's own scheme). */
function destination(req: AuthorizeRequest): string | null {
  if (req.redirectUri === null) return null;
  const u = new URL(req.redirectUri);
  return u.protocol === 'http:' || u.protocol === 'https:' ? u.host : `${u.protocol}//`;
}

export interface FormView {
  request: AuthorizeRequest;
  csrf: string;
  /** The form's own URL (path only). */
  action: string;
  error?: string;
  username?: string;
}

/**
 * Log in and decide, in one form. Allow comes first in the markup so that Enter in the password field
 * allows (the first submit button is the default), and is shown on the right. Deny needs no login.
 */
export function formPage(v: FormView): string {
  const r = v.request;
  const dest = destination(r);
  return layout(
    `Allow ${r.client.name}?`,
    `<h1><strong>${esc(r.client.name)}</strong> wants to access your account</h1>
<p class="muted">Sign in to allow it. It will be able to use your account until you revoke its access (it is listed with your tokens).${
      dest === null ? '' : ` You will then be sent to <code>${esc(dest)}</code>.`
    }</p>
${v.error === undefined ? '' : `<p class="error" role="alert">${esc(v.error)}</p>`}
<form method="post" action="${esc(v.action)}">
${hidden('client_id', r.client.clientId)}
${hidden('response_type', r.responseType)}
${hidden('redirect_uri', r.redirectUri)}
${hidden('state', r.state)}
${hidden('request_id', r.requestId)}
${hidden('code_challenge', r.codeChallenge)}
${hidden('code_challenge_method', r.codeChallenge === null ? null : 'S256')}
${hidden('csrf', v.csrf)}
<label>E-mail<input type="text" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" value="${esc(
      v.username ?? '',
    )}" required${v.username ? '' : ' autofocus'}></label>
<label>Password<input type="password" name="password" autocomplete="current-password" required${v.username ? ' autofocus' : ''}></label>
<div class="actions">
<button type="submit" name="decision" value="allow" class="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="deny" formnovalidate>Deny</button>
</div>
</form>`,
  );
}

export function messagePage(title: string, message: string): string {
  return layout(title, `<h1>${esc(title)}</h1>\n<p>${esc(message)}</p>`);
}

/** response_type=code without redirect_uri: pCloud shows the code for the user to paste into the app. */
export function codePage(clientName: string, code: string, minutes: number): string {
  return layout(
    'Authorization code',
    `<h1>Copy this code into <strong>${esc(clientName)}</strong></h1>
<code class="code">${esc(code)}</code>
<p class="muted">It works once, within ${minutes} minute${minutes === 1 ? '' : 's'}. Do not share it with anyone else.</p>`,
  );
}
