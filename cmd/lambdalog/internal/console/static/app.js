// lambdalog console: the shell (navigation, region, time zone) and what the
// pages share. A page is a module static/pages/<name>.js whose default
// export is {title, render(root, ctx)}; the server lists the pages in the
// config element of index.html.
import uPlot from './vendor/uplot/uPlot.esm.js';

const config = JSON.parse(document.getElementById('config').textContent);
const pages = new Set(config.pages);

// ---- DOM ------------------------------------------------------------------

// h builds an element: h('a', {href, class, onclick}, child, ...). Children
// may be strings, nodes, arrays or null; text is never parsed as HTML.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'style') el.style.cssText = v; // through the CSSOM, which the CSP allows
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'disabled' || k === 'selected') el[k] = !!v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// ---- Settings ---------------------------------------------------------------

const store = {
  get(k, d) { try { return localStorage.getItem('lambdalog.' + k) ?? d; } catch { return d; } },
  set(k, v) { try { localStorage.setItem('lambdalog.' + k, v); } catch { /* private mode */ } },
};

// region is the AWS region whose data the pages show.
export function region() { return store.get('region', config.region); }

// utc reports whether times are shown in UTC rather than local time.
export function utc() { return store.get('tz', 'local') === 'utc'; }

// hasPage reports whether the server serves a page (traces come and go
// with their backend).
export function hasPage(name) { return pages.has(name); }

// ---- Server -----------------------------------------------------------------

// ApiError is a failed console API call; detail locates syntax errors.
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.detail = body && body.detail;
  }
}

// api calls a console endpoint under /console/api/ for the current region.
export async function api(path, { params, method = 'GET', body, signal } = {}) {
  const url = new URL('/console/api/' + path, location.origin);
  url.searchParams.set('region', region());
  for (const [k, v] of Object.entries(params || {})) {
    if (v == null || v === '') continue;
    for (const x of Array.isArray(v) ? v : [v]) url.searchParams.append(k, x);
  }
  const init = { method, signal, headers: {} };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { error: text }; }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// ---- Navigation -------------------------------------------------------------

// href is the URL of a page with query parameters (empty ones left out).
export function href(page, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v == null || v === '' || v === false) continue;
    for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
  }
  const s = q.toString();
  return '/console/' + page + (s ? '?' + s : '');
}

// navigate shows another page (or the same with other parameters).
export function navigate(url, { replace = false } = {}) {
  history[replace ? 'replaceState' : 'pushState'](null, '', url);
  route();
}

// setParams changes the query parameters of the current URL without
// rendering the page again.
export function setParams(params) {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(params)) {
    q.delete(k);
    if (v == null || v === '' || v === false) continue;
    for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
  }
  const s = q.toString();
  history.replaceState(null, '', location.pathname + (s ? '?' + s : ''));
}

// link is an anchor to a console URL.
export function link(url, ...children) { return h('a', { href: url }, ...children); }

// ---- Formatting -------------------------------------------------------------

const pad = (n, w = 2) => String(n).padStart(w, '0');

// fmtTime writes epoch milliseconds as 2026-05-14 09:30:12.345, in UTC or
// local time.
export function fmtTime(ms, { millis = true } = {}) {
  if (ms == null) return '';
  const d = new Date(ms);
  const u = utc();
  const s = `${u ? d.getUTCFullYear() : d.getFullYear()}-${pad((u ? d.getUTCMonth() : d.getMonth()) + 1)}-${pad(u ? d.getUTCDate() : d.getDate())} ` +
    `${pad(u ? d.getUTCHours() : d.getHours())}:${pad(u ? d.getUTCMinutes() : d.getMinutes())}:${pad(u ? d.getUTCSeconds() : d.getSeconds())}`;
  return millis ? s + '.' + pad(u ? d.getUTCMilliseconds() : d.getMilliseconds(), 3) : s;
}

// fmtAgo writes how long ago epoch milliseconds were: "3 min ago".
export function fmtAgo(ms) {
  if (!ms) return '—';
  const s = (Date.now() - ms) / 1000;
  if (s < 0) return 'in the future';
  if (s < 45) return 'just now';
  const units = [[60, 'min'], [3600, 'h'], [86400, 'd'], [86400 * 30, 'mo'], [86400 * 365, 'y']];
  let out = `${Math.round(s / 60)} min`;
  for (let i = 1; i < units.length; i++) if (s >= units[i][0] * 0.9) out = `${Math.round(s / units[i][0])} ${units[i][1]}`;
  return out + ' ago';
}

export function fmtNum(n) { return n == null ? '' : Number(n).toLocaleString('en-US'); }

export function fmtBytes(n) {
  if (n == null) return '';
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
  return (i === 0 ? n : n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)) + ' ' + u[i];
}

export function fmtMs(ms) {
  if (ms == null) return '';
  if (Number.isInteger(ms) && ms < 1000) return ms + ' ms';
  if (ms < 1) return ms.toFixed(2) + ' ms';
  if (ms < 1000) return (ms < 100 ? ms.toFixed(1) : Math.round(ms)) + ' ms';
  return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
}

// ---- Time ranges ------------------------------------------------------------

export const ranges = [['5m', 300e3], ['15m', 900e3], ['1h', 3600e3], ['3h', 3 * 3600e3], ['12h', 12 * 3600e3], ['1d', 86400e3], ['1w', 7 * 86400e3]];

// rangeStart returns the start (epoch ms) of a named range ending now, or
// null for "all".
export function rangeStart(name) {
  const r = ranges.find(([n]) => n === name);
  return r ? Date.now() - r[1] : null;
}

// rangePicker is a segmented control of the time ranges; withAll adds "All".
export function rangePicker(current, onChange, { withAll = false } = {}) {
  const names = ranges.map(([n]) => n);
  if (withAll) names.push('all');
  const seg = h('div', { class: 'seg', role: 'group', 'aria-label': 'Time range' });
  for (const n of names) {
    const b = h('button', { type: 'button', class: n === current ? 'on' : '', 'data-range': n }, n === 'all' ? 'All' : n);
    b.addEventListener('click', () => { for (const x of seg.children) x.classList.toggle('on', x === b); onChange(n); });
    seg.append(b);
  }
  return seg;
}

// ---- Errors -----------------------------------------------------------------

// errorBox shows an error in place of content.
export function errorBox(err) {
  return h('div', { class: 'notice error', role: 'alert' }, err && err.message ? err.message : String(err));
}

// fieldError shows text with the span [start, end) marked, and a message:
// how filter pattern and query syntax errors appear under their input.
export function fieldError(text, start, end, message) {
  start = Math.max(0, Math.min(start ?? text.length, text.length));
  end = Math.max(start, Math.min(end ?? start + 1, text.length));
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = text.indexOf('\n', Math.max(end - 1, start));
  if (lineEnd < 0) lineEnd = text.length;
  const mark = text.slice(start, Math.min(end, lineEnd)) || ' ';
  const line = (text.slice(0, start).match(/\n/g) || []).length + 1;
  const col = start - lineStart + 1;
  return h('div', { class: 'field-error', role: 'alert' },
    h('pre', null, text.slice(lineStart, start), h('mark', null, mark), text.slice(Math.min(end, lineEnd), lineEnd)),
    h('div', null, message),
    h('div', { class: 'where' }, `line ${line}, column ${col}`));
}

// ---- JSON -------------------------------------------------------------------

// jsonTree renders a value as an expandable tree, open to depth `open`.
export function jsonTree(value, { open = 2 } = {}) {
  return h('div', { class: 'json' }, node(null, value, 0, open, true));
}

function node(key, v, depth, open, last) {
  const keyEl = key == null ? null : [h('span', { class: 'key' }, JSON.stringify(key)), h('span', { class: 'punct' }, ': ')];
  const comma = last ? null : h('span', { class: 'punct' }, ',');
  if (v !== null && typeof v === 'object') {
    const arr = Array.isArray(v);
    const entries = arr ? v.map((x, i) => [i, x]) : Object.entries(v);
    const [o, c] = arr ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) return h('div', { class: 'leaf' }, keyEl, h('span', { class: 'punct' }, o + c), comma);
    const d = h('details', { open: depth < open && entries.length <= 60 });
    d.append(h('summary', null, keyEl, h('span', { class: 'punct' }, o),
      h('span', { class: 'preview' }, ` ${entries.length} ${arr ? (entries.length === 1 ? 'item' : 'items') : (entries.length === 1 ? 'key' : 'keys')} ${c}`), comma && h('span', { class: 'preview' }, ',')));
    const kids = h('div', { class: 'children' });
    entries.forEach(([k, x], i) => kids.append(node(arr ? null : k, x, depth + 1, open, i === entries.length - 1)));
    d.append(kids, h('div', null, h('span', { class: 'punct' }, c), comma));
    return d;
  }
  const cls = typeof v === 'string' ? 'str' : typeof v === 'number' ? 'num' : 'lit';
  return h('div', { class: 'leaf' }, keyEl, h('span', { class: cls }, JSON.stringify(v)), comma);
}

// ---- Log events -------------------------------------------------------------

const platformRe = /^(START|END|REPORT|INIT_START|INIT_REPORT|INIT_RUNTIME_DONE|RUNTIME_DONE|EXTENSION|TELEMETRY|XRAY) /;
const levelRe = /\b(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL)\b/;

// parseMessage says what a log message is: Powertools-style JSON, a Lambda
// platform line or record, or text; with its level and trace id if any.
export function parseMessage(msg) {
  const text = msg.replace(/\n+$/, '');
  const out = { text, kind: 'text', level: null, obj: null, traceId: null, requestId: null };
  const t = text.trimStart();
  if (t.startsWith('{')) {
    try {
      const obj = JSON.parse(t);
      if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
        out.obj = obj;
        out.kind = typeof obj.type === 'string' && obj.type.startsWith('platform.') ? 'platform' : 'json';
        const lvl = obj.level ?? obj.Level ?? obj.levelname ?? obj.severity;
        if (typeof lvl === 'string') out.level = lvl.toUpperCase();
        const rec = obj.record && typeof obj.record === 'object' ? obj.record : {};
        out.traceId = obj.xray_trace_id ?? obj.trace_id ?? traceRoot(rec.tracing && rec.tracing.value) ?? null;
        out.requestId = obj.function_request_id ?? obj.requestId ?? rec.requestId ?? null;
        return out;
      }
    } catch { /* not JSON after all */ }
  }
  if (platformRe.test(text)) {
    out.kind = 'platform';
    const m = text.match(/XRAY TraceId: (\S+)/);
    if (m) out.traceId = m[1];
    const r = text.match(/RequestId: ([0-9a-f-]{36})/);
    if (r) out.requestId = r[1];
    return out;
  }
  const m = text.slice(0, 80).match(levelRe);
  if (m) out.level = m[1];
  return out;
}

function traceRoot(header) {
  if (typeof header !== 'string') return undefined;
  const m = header.match(/Root=([^;]+)/);
  return m ? m[1] : header;
}

// reportSummary reads a REPORT line (or platform.report record) into a
// short summary.
export function reportSummary(p) {
  let d, billed, mem, used, init, status;
  if (p.obj && p.obj.type === 'platform.report') {
    const m = (p.obj.record && p.obj.record.metrics) || {};
    [d, billed, mem, used, init] = [m.durationMs, m.billedDurationMs, m.memorySizeMB, m.maxMemoryUsedMB, m.initDurationMs];
    status = p.obj.record && p.obj.record.status;
  } else if (p.text.startsWith('REPORT ')) {
    const num = (re) => { const m = p.text.match(re); return m ? Number(m[1]) : undefined; };
    d = num(/\tDuration: ([\d.]+) ms/); billed = num(/Billed Duration: (\d+) ms/);
    mem = num(/Memory Size: (\d+) MB/); used = num(/Max Memory Used: (\d+) MB/); init = num(/Init Duration: ([\d.]+) ms/);
    const s = p.text.match(/Status: (\w+)/); status = s ? s[1] : 'success';
  } else return null;
  const parts = [`${fmtMs(d)}`, `billed ${fmtMs(billed)}`, `${used}/${mem} MB`];
  if (init) parts.push(`init ${fmtMs(init)} (cold start)`);
  if (status && status !== 'success') parts.push(status);
  return parts.join(' · ');
}

const summaryKeys = new Set(['level', 'message', 'msg', 'timestamp', 'time', 'Level', 'levelname']);
// Keys every Powertools line carries: the one-line form shows them after the line's own.
const contextKeys = new Set(['location', 'service', 'cold_start', 'function_name', 'function_memory_size', 'function_arn',
  'function_request_id', 'xray_trace_id', 'xray_segment_id', 'sampling_rate', 'correlation_id']);

// summaryLine renders the one-line form of a message.
function summaryLine(p) {
  const line = [];
  if (p.kind === 'platform') {
    const sum = reportSummary(p);
    const kind = p.obj ? p.obj.type : p.text.split(' ')[0];
    if (sum) return [h('span', null, 'REPORT '), h('span', { class: 'sum' + (/timeout|error/.test(sum) ? ' bad' : '') }, sum)];
    return [p.obj ? `${kind} ${JSON.stringify(p.obj.record || {})}` : p.text];
  }
  if (p.level) line.push(h('span', { class: 'badge ' + p.level.toLowerCase() }, p.level));
  const emf = p.obj && p.obj._aws && Array.isArray(p.obj._aws.CloudWatchMetrics) ? p.obj._aws.CloudWatchMetrics : null;
  if (emf) {
    line.push(h('span', { class: 'badge' }, 'EMF'));
    for (const d of emf) {
      line.push(h('span', null, d.Namespace || ''));
      for (const m of d.Metrics || []) line.push(h('span', { class: 'kv' }, h('b', null, m.Name), '=', JSON.stringify(p.obj[m.Name]), m.Unit && m.Unit !== 'None' ? ' ' + m.Unit : ''));
    }
    return line;
  }
  if (p.kind === 'json') {
    const m = p.obj.message ?? p.obj.msg;
    line.push(typeof m === 'string' ? m : JSON.stringify(m ?? ''));
    const keys = Object.keys(p.obj).filter((k) => !summaryKeys.has(k));
    const ordered = [...keys.filter((k) => !contextKeys.has(k)), ...keys.filter((k) => contextKeys.has(k))];
    for (const k of ordered.slice(0, 12)) {
      const v = p.obj[k];
      line.push(h('span', { class: 'kv' }, h('b', null, k), '=', typeof v === 'string' ? v : JSON.stringify(v)));
    }
    return line;
  }
  line.push(p.level ? p.text.replace(p.level, '').replace(/^\s+/, '') : p.text);
  return line;
}

// nextCursor returns the cursor just after an event's: a page read with
// before=nextCursor(id) starts with that event.
export function nextCursor(id) {
  const [ts, seq] = id.split('.');
  return ts + '.' + (BigInt(seq) + 1n).toString();
}

// eventRow renders an event that expands to its pretty-printed form.
// Options: group (for links), showStream, fresh (highlight).
export function eventRow(ev, { group, showStream = false, fresh = false } = {}) {
  const p = parseMessage(ev.message);
  const row = h('div', { class: 'ev' + (p.kind === 'platform' ? ' platform' : '') + (fresh ? ' fresh' : ''), 'data-id': ev.id });
  const line = h('div', { class: 'ev-line', role: 'button', tabindex: '0', 'aria-expanded': 'false' },
    h('span', { class: 'chev' }, '▸'),
    h('span', { class: 'time' }, fmtTime(ev.timestamp)),
    showStream ? h('span', { class: 'stream', title: ev.stream }, shortStream(ev.stream)) : null,
    h('span', { class: 'msg' }, summaryLine(p)));
  let detail = null;
  const toggle = () => {
    const open = row.classList.toggle('open');
    line.setAttribute('aria-expanded', String(open));
    if (!open) { detail.remove(); return; }
    detail = eventDetail(ev, p, group);
    row.append(detail);
  };
  line.addEventListener('click', (e) => { if (!window.getSelection().toString() || e.detail > 1) toggle(); });
  line.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); } });
  row.append(line);
  return row;
}

function eventDetail(ev, p, group) {
  const actions = h('div', { class: 'ev-actions' },
    h('button', { class: 'small', type: 'button', onclick: (e) => copy(e.currentTarget, ev.message) }, 'Copy'));
  if (group) actions.append(h('a', { class: 'button small', href: href('events', { group, stream: ev.stream, before: nextCursor(ev.id) }) }, 'Show in stream'));
  if (p.requestId && group) actions.append(h('a', { class: 'button small', href: href('events', { group, pattern: `"${p.requestId}"` }) }, 'This request'));
  if (p.traceId && hasPage('trace')) actions.append(h('a', { class: 'button small', href: href('trace', { id: p.traceId }) }, 'Trace ' + p.traceId));
  return h('div', { class: 'ev-detail' },
    h('div', { class: 'ev-meta' },
      h('span', null, 'Time ', h('b', null, fmtTime(ev.timestamp))),
      h('span', null, 'Ingested ', h('b', null, fmtTime(ev.ingestionTime))),
      h('span', null, 'Stream ', h('b', null, ev.stream))),
    p.obj ? jsonTree(p.obj, { open: 3 }) : h('pre', null, p.text),
    actions);
}

function shortStream(s) {
  const m = s.match(/\[\$LATEST\]([0-9a-f]{6})[0-9a-f]*$/);
  return m ? `[$LATEST]${m[1]}…` : s;
}

async function copy(btn, text) {
  try { await navigator.clipboard.writeText(text); btn.textContent = 'Copied'; } catch { btn.textContent = 'Copy failed'; }
  setTimeout(() => { btn.textContent = 'Copy'; }, 1500);
}

// ---- Charts -----------------------------------------------------------------

export const palette = ['#4c6ef5', '#f76707', '#37b24d', '#e64980', '#7950f2', '#1098ad', '#f59f00', '#74b816', '#d6336c', '#495057'];

// timeChart draws series over time with uPlot in el and keeps it sized to
// el. xs are epoch seconds; series are {label, values}; xRange, when set,
// is the [min, max] of the time axis. It returns the uPlot instance.
export function timeChart(el, xs, series, { height = 260, fmtY = (v) => fmtNum(v), bars = false, xRange = null } = {}) {
  const css = getComputedStyle(document.documentElement);
  const color = (v) => css.getPropertyValue(v).trim();
  const axis = { stroke: color('--muted'), grid: { stroke: color('--border'), width: 1 }, ticks: { stroke: color('--border'), width: 1 }, font: '11px ' + css.getPropertyValue('--sans') };
  const opts = {
    width: Math.max(el.clientWidth, 300), height,
    tzDate: utc() ? (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC') : undefined,
    cursor: { drag: { x: true, y: false } },
    legend: { show: series.length > 0 },
    scales: { x: xRange ? { time: true, range: () => xRange } : { time: true } },
    axes: [{ ...axis, space: 90 }, { ...axis, size: 64, values: (u, vals) => vals.map(fmtY) }],
    series: [{ value: (u, v) => (v == null ? '' : fmtTime(v * 1000, { millis: false })) }, ...series.map((s, i) => ({
      label: s.label, stroke: palette[i % palette.length], width: 2,
      fill: series.length === 1 ? palette[0] + '1f' : undefined,
      points: { show: xs.length < 60, size: 5 },
      paths: bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined,
      value: (u, v) => (v == null ? '—' : fmtY(v)),
      spanGaps: false,
    }))],
  };
  const u = new uPlot(opts, [xs, ...series.map((s) => s.values)], el);
  const ro = new ResizeObserver(() => u.setSize({ width: Math.max(el.clientWidth, 300), height }));
  ro.observe(el);
  u.disconnect = () => ro.disconnect();
  return u;
}

// ---- Shell ------------------------------------------------------------------

const main = document.getElementById('main');
let leave = null; // ends the current page

// PageContext is what a page's render receives.
class PageContext {
  constructor() {
    this.params = new URLSearchParams(location.search);
    this.abort = new AbortController();
    this.signal = this.abort.signal;
    this.cleanups = [];
  }
  // onLeave registers fn to run when the user leaves the page.
  onLeave(fn) { this.cleanups.push(fn); }
  // every runs fn every ms milliseconds while the page is shown.
  every(ms, fn) { const t = setInterval(fn, ms); this.onLeave(() => clearInterval(t)); return () => clearInterval(t); }
  get left() { return this.signal.aborted; }
}

async function route() {
  if (leave) leave();
  const name = location.pathname.replace(/^\/console\/?/, '').split('/')[0] || config.pages[0];
  const section = config.under[name] || name;
  for (const a of document.querySelectorAll('.nav a')) a.classList.toggle('active', a.dataset.page === section);
  const ctx = new PageContext();
  leave = () => { ctx.abort.abort(); for (const f of ctx.cleanups) f(); };
  const root = h('div', { class: 'page' });
  main.replaceChildren(root);
  try {
    if (!pages.has(name)) throw new Error(`There is no page “${name}”.`);
    const mod = await import(`./pages/${name}.js`);
    document.title = `${mod.default.title} · lambdalog`;
    await mod.default.render(root, ctx);
  } catch (err) {
    if (ctx.left || err.name === 'AbortError') return;
    console.warn(err);
    root.replaceChildren(errorBox(err));
  }
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[href^="/console/"]');
  if (!a || a.target || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', route);

const regionInput = document.getElementById('region');
regionInput.value = region();
regionInput.addEventListener('change', () => {
  const r = regionInput.value.trim();
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(r)) { regionInput.classList.add('invalid'); return; }
  regionInput.classList.remove('invalid');
  store.set('region', r);
  route();
});
document.getElementById('regions').append(...['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-central-1', 'eu-north-1',
  'ap-northeast-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-south-1', 'sa-east-1', 'ca-central-1'].map((r) => h('option', { value: r })));
const tz = document.getElementById('tz');
const showTZ = () => { for (const b of tz.children) b.classList.toggle('on', (b.dataset.tz === 'utc') === utc()); };
showTZ();
for (const b of tz.children) b.addEventListener('click', () => { store.set('tz', b.dataset.tz); showTZ(); route(); });

route();
