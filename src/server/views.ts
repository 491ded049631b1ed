import { cspHash } from '../crypto/index.ts';
import { templates } from './templates.gen.ts';

// A logic-light template renderer for the hosted pages (templates/*.html,
// embedded by scripts/embed-templates.ts), in the Mustache subset:
//   {{name}} / {{a.b}}   the value, HTML-escaped (always)
//   {{#name}}…{{/name}}  once if truthy (with the value as context if it is
//                        an object), once per item if an array
//   {{^name}}…{{/name}}  once if falsy or an empty array
//   {{{body}}}           unescaped: only the layout's slot for an already
//                        rendered template
// Nothing else: no helpers, no partials, no expressions.

type Node =
  | { readonly t: 'text'; readonly v: string }
  | { readonly t: 'var'; readonly name: string; readonly raw: boolean }
  | { readonly t: 'section'; readonly name: string; readonly inverted: boolean; readonly children: Node[] };

export type ViewData = Readonly<Record<string, unknown>>;

const TAG = /\{\{(\{?)\s*([#^/]?)\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}?\}\}/g;
const compiled = new Map<string, Node[]>();

function parse(source: string, name: string): Node[] {
  const root: Node[] = [];
  const stack: { name: string; children: Node[] }[] = [{ name: '', children: root }];
  let last = 0;
  for (const m of source.matchAll(TAG)) {
    const top = stack.at(-1)!;
    if (m.index > last) top.children.push({ t: 'text', v: source.slice(last, m.index) });
    last = m.index + m[0].length;
    const [, brace, sigil, key] = m as unknown as [string, string, string, string];
    if (sigil === '#' || sigil === '^') {
      const node = { t: 'section' as const, name: key, inverted: sigil === '^', children: [] as Node[] };
      top.children.push(node);
      stack.push({ name: key, children: node.children });
    } else if (sigil === '/') {
      if (top.name !== key) throw new Error(`template ${name}: {{/${key}}} closes {{#${top.name}}}`);
      stack.pop();
    } else {
      if (brace && key !== 'body') throw new Error(`template ${name}: only {{{body}}} may be unescaped`);
      top.children.push({ t: 'var', name: key, raw: brace === '{' });
    }
  }
  if (stack.length !== 1) throw new Error(`template ${name}: {{#${stack.at(-1)!.name}}} is not closed`);
  if (last < source.length) root.push({ t: 'text', v: source.slice(last) });
  return root;
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', '=': '&#61;' };

/** HTML-escapes text for element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`=]/g, (c) => ESCAPES[c]!);
}

function lookup(contexts: readonly unknown[], name: string): unknown {
  const [head, ...rest] = name.split('.');
  for (let i = contexts.length - 1; i >= 0; i--) {
    const ctx = contexts[i];
    if (ctx !== null && typeof ctx === 'object' && Object.hasOwn(ctx, head!)) {
      let v: unknown = (ctx as Record<string, unknown>)[head!];
      for (const part of rest) v = v !== null && typeof v === 'object' && Object.hasOwn(v, part) ? (v as Record<string, unknown>)[part] : undefined;
      return v;
    }
  }
  return undefined;
}

function renderNodes(nodes: readonly Node[], contexts: readonly unknown[], escape: (v: unknown) => string = escapeHtml): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.v;
    else if (n.t === 'var') {
      const v = lookup(contexts, n.name);
      out += n.raw ? String(v ?? '') : escape(v);
    } else {
      const v = lookup(contexts, n.name);
      const empty = !v || (Array.isArray(v) && v.length === 0);
      if (n.inverted) {
        if (empty) out += renderNodes(n.children, contexts, escape);
      } else if (Array.isArray(v)) {
        for (const item of v) out += renderNodes(n.children, [...contexts, item], escape);
      } else if (!empty) {
        out += renderNodes(n.children, typeof v === 'object' ? [...contexts, v] : contexts, escape);
      }
    }
  }
  return out;
}

function template(name: string): Node[] {
  let nodes = compiled.get(name);
  if (!nodes) {
    const source = templates[name];
    if (source === undefined) throw new Error(`no template "${name}"`);
    nodes = parse(source, name);
    compiled.set(name, nodes);
  }
  return nodes;
}

const INLINE = /<(style|script)>([\s\S]*?)<\/\1>/g;
const hashes = new Map<string, { styles: string[]; scripts: string[] }>();

/**
 * CSP hash-sources of the inline <style> and <script> blocks of a page
 * (its template and the layout), taken from the template SOURCES: such a
 * block must be static (no {{…}}), so nothing a request carries can ever be
 * allowed to run.
 */
export function inlineHashes(name: string): { styles: readonly string[]; scripts: readonly string[] } {
  let h = hashes.get(name);
  if (!h) {
    h = { styles: [], scripts: [] };
    for (const t of ['layout', name]) {
      for (const [, kind, body] of (templates[t] ?? '').matchAll(INLINE)) {
        if (body!.includes('{{')) throw new Error(`template ${t}: an inline <${kind}> must be static`);
        (kind === 'style' ? h.styles : h.scripts).push(cspHash(body!));
      }
    }
    hashes.set(name, h);
  }
  return h;
}

/** Renders `name` inside the layout. The layout sees `title`, `tenantName` and the template's data. */
export function renderPage(name: string, data: ViewData): string {
  const body = renderNodes(template(name), [data]);
  return renderNodes(template('layout'), [{ ...data, body }]);
}

/** Renders a template alone (tests, emails). */
export function renderTemplate(name: string, data: ViewData): string {
  return renderNodes(template(name), [data]);
}

/** Renders a plain-text template (emails): values are inserted as they are, never HTML-escaped. */
export function renderText(name: string, data: ViewData): string {
  return renderNodes(template(name), [data], (v) => String(v ?? ''));
}

/** Renders template source given at run time (a tenant's own email template), HTML-escaped or as text. */
export function renderSource(source: string, data: ViewData, mode: 'html' | 'text'): string {
  return renderNodes(parse(source, 'custom'), [data], mode === 'html' ? escapeHtml : (v) => String(v ?? ''));
}
