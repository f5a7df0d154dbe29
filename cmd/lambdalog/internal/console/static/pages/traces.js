// Traces: the X-Ray traces of a time range, filtered by a filter
// expression, under the service map of the same range.
import { api, h, href, link, fieldError, fmtMs, fmtNum, fmtTime, rangePicker, rangeStart, setParams } from '../app.js';

const svgNS = 'http://www.w3.org/2000/svg';

// s builds an SVG element.
function s(tag, attrs, ...children) {
  const el = document.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) el.setAttribute(k, v);
  for (const c of children) if (c != null) el.append(c instanceof Node ? c : String(c));
  return el;
}

export default {
  title: 'Traces',
  async render(root, ctx) {
    let range = ctx.params.get('range') || '1h';
    const filter = h('input', {
      type: 'text', class: 'code grow', spellcheck: 'false', autocomplete: 'off', value: ctx.params.get('filter') || '', 'aria-label': 'Filter expression',
      placeholder: 'Filter expression: annotation.ColdStart = true, service("orders") { fault }, responsetime > 0.5, http.status = 500',
    });
    const errArea = h('div');
    const mapEl = h('div', { class: 'svc-map' });
    const mapNote = h('span', { class: 'muted' });
    const listBody = h('div', { class: 'table-wrap' });
    const count = h('span', { class: 'muted' });
    const moreBtn = h('button', { type: 'button', class: 'small hidden' }, 'Load more');
    root.append(
      h('div', { class: 'page-head' }, h('div', { class: 'grow' }, h('h1', null, 'Traces'), h('div', { class: 'muted' }, 'X-Ray segments from functions, SDKs and OTLP')),
        h('div', { class: 'actions' }, rangePicker(range, (r) => { range = r; setParams({ range: r }); load(); }))),
      h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); setParams({ filter: filter.value.trim() }); loadList(); } },
        filter, h('button', { type: 'submit', class: 'primary' }, 'Filter')),
      errArea,
      h('div', { class: 'card mt-2' }, h('div', { class: 'card-head' }, h('h2', null, 'Service map'), mapNote), mapEl),
      h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Traces'), count), listBody,
        h('div', { class: 'events-foot hidden' }, h('span', { class: 'grow' }), moreBtn)));
    filter.addEventListener('input', () => { filter.classList.remove('invalid'); errArea.replaceChildren(); });

    let next = null;
    let shown = 0;
    const span = () => ({ start: Math.round(rangeStart(range)), end: Date.now() });

    const loadList = async (more) => {
      let res;
      try {
        res = await api('traces', { params: { ...span(), filter: filter.value.trim(), cursor: more ? next : null }, signal: ctx.signal });
      } catch (err) {
        if (ctx.left) return;
        if (err.detail && typeof err.detail.offset === 'number') {
          filter.classList.add('invalid');
          errArea.replaceChildren(fieldError(filter.value.trim(), err.detail.offset, err.detail.offset + 1, err.message));
        } else errArea.replaceChildren(h('div', { class: 'notice error mt-1' }, err.message));
        return;
      }
      next = res.next || null;
      const rows = res.traces.map((t) => h('tr', null,
        h('td', { class: 'nowrap' }, fmtTime(t.start)),
        h('td', { class: 'mono' }, link(href('trace', { id: t.id }), t.id)),
        h('td', { class: 'num' }, fmtMs(t.responseTime)),
        h('td', { class: 'num' }, fmtMs(t.duration)),
        h('td', null, status(t)),
        h('td', { class: 'mono' }, t.method ? `${t.method} ` : '', t.url || (t.entryPoint ? t.entryPoint.name : '')),
        h('td', null, h('div', { class: 'chips' }, Object.entries(t.annotations || {}).flatMap(([k, vs]) => vs.map((v) => h('span', { class: 'dim' }, `${k}=${v}`)))))));
      if (!more) {
        shown = 0;
        listBody.replaceChildren(rows.length ? h('table', null,
          h('thead', null, h('tr', null, ['Start', 'Trace id', 'Response', 'Duration', 'Status', 'Request', 'Annotations'].map((c, i) => h('th', { class: i === 2 || i === 3 ? 'num' : '' }, c)))),
          h('tbody', null)) : h('div', { class: 'empty' }, filter.value.trim() ? 'No trace in the time range matches the filter.' : 'No traces in the time range.'));
      }
      const tbody = listBody.querySelector('tbody');
      if (tbody) tbody.append(...rows);
      shown += rows.length;
      count.textContent = `${fmtNum(shown)}${next ? '+' : ''} ${shown === 1 ? 'trace' : 'traces'}`;
      moreBtn.classList.toggle('hidden', !next);
      moreBtn.parentElement.classList.toggle('hidden', !next);
    };
    moreBtn.addEventListener('click', () => loadList(true));

    const loadMap = async () => {
      const nodes = await api('servicemap', { params: span(), signal: ctx.signal });
      mapNote.textContent = nodes.length ? `${nodes.length} ${nodes.length === 1 ? 'service' : 'services'}` : '';
      mapEl.replaceChildren(nodes.length ? serviceMap(nodes, (name) => { filter.value = `service("${name}")`; setParams({ filter: filter.value }); loadList(); })
        : h('div', { class: 'empty' }, 'No traces in the time range.'));
    };

    const load = () => Promise.all([loadMap(), loadList()]);
    await load();
  },
};

function status(t) {
  if (t.fault) return h('span', { class: 'badge error' }, 'Fault');
  if (t.error) return h('span', { class: 'badge warn' }, 'Error');
  if (t.throttle) return h('span', { class: 'badge debug' }, 'Throttle');
  return h('span', { class: 'badge ok' }, t.partial ? 'OK (partial)' : 'OK');
}

// serviceMap draws the services in columns by their distance from the
// entry points, with an arrow for each call.
function serviceMap(nodes, onPick) {
  const byID = new Map(nodes.map((n) => [n.id, n]));
  const incoming = new Map(nodes.map((n) => [n.id, 0]));
  for (const n of nodes) for (const e of n.edges) incoming.set(e.to, (incoming.get(e.to) || 0) + 1);
  const depth = new Map();
  const queue = nodes.filter((n) => n.type === 'client' || incoming.get(n.id) === 0).map((n) => n.id);
  if (!queue.length && nodes.length) queue.push(nodes[0].id);
  queue.forEach((id) => depth.set(id, 0));
  while (queue.length) {
    const id = queue.shift();
    for (const e of byID.get(id).edges) if (!depth.has(e.to)) { depth.set(e.to, depth.get(id) + 1); queue.push(e.to); }
  }
  for (const n of nodes) if (!depth.has(n.id)) depth.set(n.id, 0);
  const cols = [];
  for (const n of nodes) (cols[depth.get(n.id)] ||= []).push(n);
  const W = 220, H = 66, dx = W + 120, dy = H + 30;
  const pos = new Map();
  cols.forEach((col, c) => col.forEach((n, r) => pos.set(n.id, { x: 20 + c * dx, y: 20 + r * dy })));
  const width = 40 + (cols.length - 1) * dx + W, height = 40 + (Math.max(...cols.map((c) => c.length)) - 1) * dy + H;
  const svg = s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Service map' },
    s('defs', null, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }))));
  for (const n of nodes) {
    for (const e of n.edges) {
      const a = pos.get(n.id), b = pos.get(e.to);
      if (!a || !b) continue;
      const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
      const mx = (x1 + x2) / 2;
      svg.append(s('path', { class: 'edge', d: `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2 - 2} ${y2}`, 'marker-end': 'url(#arrow)' }));
      svg.append(s('text', { class: 'edge-label', x: mx, y: (y1 + y2) / 2 - 7, 'text-anchor': 'middle' }, `${fmtMs(e.averageMs)} · ${fmtNum(e.total)}×`));
    }
  }
  for (const n of nodes) {
    const p = pos.get(n.id);
    const health = n.stats.fault ? 'fault' : n.stats.error || n.stats.throttle ? 'err' : n.type === 'client' ? '' : 'ok';
    const name = n.type === 'client' ? 'Client' : n.name.length > 28 ? n.name.slice(0, 27) + '…' : n.name;
    const type = n.type === 'client' ? 'callers of the entry points' : n.type || 'service';
    const figures = n.type === 'client' ? '' : `${fmtMs(n.stats.averageMs)} avg · ${fmtNum(n.stats.total)} requests`;
    const g = s('g', { class: `node ${health}`, transform: `translate(${p.x},${p.y})`, tabindex: 0 },
      s('title', null, `${n.name} (${n.type || 'service'}): ${n.stats.total} requests, ${n.stats.ok} ok, ${n.stats.error} errors, ${n.stats.fault} faults, ${n.stats.throttle} throttled`),
      s('rect', { width: W, height: H, rx: 10 }),
      s('text', { class: 'name', x: 12, y: 21 }, name),
      s('text', { class: 'sub', x: 12, y: 38 }, type.length > 34 ? type.slice(0, 33) + '…' : type),
      s('text', { class: 'sub', x: 12, y: 54 }, figures));
    if (n.type !== 'client') g.addEventListener('click', () => onPick(n.name));
    svg.append(g);
  }
  return svg;
}
