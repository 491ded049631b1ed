// The hosted pages' template renderer: everything is HTML-escaped (the
// pages show client names, identifiers, scopes and state values an attacker
// may choose), sections loop and branch, and only the layout's body slot is
// unescaped.
import { describe, expect, it } from 'vitest';
import { escapeHtml, inlineHashes, renderPage, renderTemplate } from '../../src/server/views.ts';
import { templates } from '../../src/server/templates.gen.ts';

describe('views', () => {
  it('escapes the characters that end text, attributes or unquoted attributes', () => {
    expect(escapeHtml(`<script>"x"&'y'\`=`)).toBe('&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&#96;&#61;');
    expect(escapeHtml(undefined)).toBe('');
  });

  it('escapes every value, in text and in attributes', () => {
    const html = renderTemplate('login', { clientName: '<b>evil</b>', identifier: '"><img src=x onerror=alert(1)>', action: '/t/x/login/1', csrf: 'c"', error: '<i>' });
    expect(html).not.toContain('<b>evil');
    expect(html).not.toContain('<img');
    expect(html).toContain('value="&quot;&gt;&lt;img src&#61;x onerror&#61;alert(1)&gt;"');
    expect(html).toContain('&lt;i&gt;');
  });

  it('renders sections: arrays once per item, falsy values not at all', () => {
    const html = renderTemplate('consent', { clientName: 'App', account: 'a@b.c', scopes: [{ name: 'openid', description: 'Sign in' }, { name: 'email', description: 'Email' }], error: null, action: '/a', csrf: 'c' });
    expect(html.match(/<li>/g)).toHaveLength(2);
    expect(html).not.toContain('class="error"');
  });

  it('wraps a page in the layout; its inline style and script blocks are static and known by hash', () => {
    const html = renderPage('error', { title: 'T', tenantName: 'Acme', heading: 'H', message: 'M', code: null });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<title>T · Acme</title>');
    expect(inlineHashes('error')).toEqual({ styles: [expect.stringMatching(/^'sha256-[A-Za-z0-9+/]{43}='$/)], scripts: [] });
    expect(inlineHashes('form-post').scripts).toHaveLength(1);
  });

  it('every embedded template parses and renders with no data', () => {
    for (const name of Object.keys(templates)) expect(() => renderPage(name, {})).not.toThrow();
  });
});
