// A trace: its segments as a waterfall, the chosen segment's annotations,
// metadata and document, and the log lines of its invocations.
import { api, h, href, link, eventRow, fmtMs, fmtTime, jsonTree } from '../app.js';

export default {
  title: 'Trace',
  async render(root, ctx) {
    const id = ctx.params.get('id');
    if (!id) throw new Error('No trace id given.');
    const t = await api(`traces/${encodeURIComponent(id)}`, { signal: ctx.signal });
    const docs = t.segments;
    const t0 = t.start / 1000;
    const total = Math.max(t.duration / 1000, 0.001);

    // Rows: each segment, then its subsegments depth first.
    const rows = [];
    const walk = (seg, depth, top) => {
      rows.push({ seg, depth, top });
      for (const c of [...(seg.subsegments || [])].sort((a, b) => a.start_time - b.start_time)) walk(c, depth + 1, top);
    };
    for (const d of docs) walk(d, 0, d);

    const detail = h('div', { class: 'card-body' }, h('div', { class: 'muted' }, 'Choose a segment in the timeline.'));
    const wf = h('div', { class: 'wf' });
    const ticks = [0, 0.25, 0.5, 0.75, 1];
    wf.append(h('div', { class: 'wf-head' }, h('div', { class: 'wf-name' }, 'Segment'),
      h('div', { class: 'wf-track' }, ticks.slice(0, 4).map((f) => h('div', { class: 'tick', style: `left:${f * 100}%` }, h('span', null, fmtMs(f * total * 1000))))),
      h('div', { class: 'wf-dur' }, 'Duration')));
    let selected = null;
    for (const { seg, depth } of rows) {
      if (depth === 0) {
        wf.append(h('div', { class: 'wf-row group' }, h('div', { class: 'wf-name' }, seg.name, h('span', { class: 'origin' }, seg.origin || (seg.inferred ? 'remote' : ''))),
          h('div', { class: 'wf-track' }), h('div', { class: 'wf-dur' })));
      }
      const start = seg.start_time - t0;
      const end = (seg.end_time ?? t0 + total) - t0;
      const cls = ['wf-bar', depth ? 'sub' : '', seg.fault ? 'fault' : seg.error ? 'error' : seg.throttle ? 'throttle' : '', seg.in_progress ? 'progress' : ''].join(' ');
      const row = h('div', { class: 'wf-row', 'data-id': seg.id, tabindex: 0 },
        h('div', { class: 'wf-name', style: `padding-left:${12 + depth * 16}px` }, seg.name || seg.id,
          seg.namespace ? h('span', { class: 'origin' }, seg.namespace) : null,
          seg.annotations && Object.keys(seg.annotations).length ? h('span', { class: 'origin', title: 'annotations' }, '◆') : null),
        h('div', { class: 'wf-track' }, ticks.slice(1, 4).map((f) => h('div', { class: 'tick', style: `left:${f * 100}%` })),
          h('div', { class: cls, style: `left:${(100 * start) / total}%;width:${Math.max((100 * (end - start)) / total, 0.3)}%`, title: `${seg.name}: ${fmtMs((end - start) * 1000)}` })),
        h('div', { class: 'wf-dur' }, seg.in_progress ? 'in progress' : fmtMs((end - start) * 1000)));
      row.addEventListener('click', () => {
        if (selected) selected.classList.remove('selected');
        selected = row;
        row.classList.add('selected');
        detail.replaceChildren(...segmentDetail(seg, t0));
      });
      wf.append(row);
    }

    const logs = h('div', { class: 'events with-stream' }, h('div', { class: 'empty' }, 'Looking for the log lines…'));
    const logsNote = h('span', { class: 'muted' });
    const status = t.fault ? h('span', { class: 'badge error' }, 'Fault') : t.error ? h('span', { class: 'badge warn' }, 'Error') : t.throttle ? h('span', { class: 'badge debug' }, 'Throttle') : h('span', { class: 'badge ok' }, 'OK');
    root.append(
      h('div', { class: 'page-head' }, h('div', { class: 'grow' },
        h('div', { class: 'crumbs' }, link(href('traces'), 'Traces'), h('span', { class: 'sep' }, '›')),
        h('h1', { class: 'title-mono' }, t.id))),
      h('div', { class: 'card' }, h('div', { class: 'stats' },
        stat('Started', fmtTime(t.start)), stat('Duration', fmtMs(t.duration)), stat('Response time', fmtMs(t.responseTime)),
        stat('Status', status), stat('Request', t.method ? `${t.method} ${t.url || ''}` : (t.entryPoint ? t.entryPoint.name : '—')),
        stat('Segments', String(t.documents)))),
      h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Timeline'), t.partial ? h('span', { class: 'badge warn' }, 'partial') : null), wf),
      h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Segment')), detail),
      h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Log lines'), logsNote), logs));
    const first = wf.querySelector('.wf-row[data-id]');
    if (first) first.click();

    const res = await api(`traces/${encodeURIComponent(id)}/logs`, { signal: ctx.signal });
    logsNote.textContent = res.groups.length ? `in ${res.groups.join(', ')}` : 'no log group of a Lambda function in this trace';
    logs.replaceChildren(...res.events.map((ev) => eventRow(ev, { group: ev.group, showStream: true })));
    if (!res.events.length) logs.replaceChildren(h('div', { class: 'empty' }, 'No log line carries this trace id or the request ids of its invocations.'));
  },
};

function stat(label, value) {
  return h('div', { class: 'stat' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}

// segmentDetail shows what X-Ray's console shows of a segment: its
// overview, annotations, metadata, error cause and the whole document.
function segmentDetail(seg, t0) {
  const kv = (k, v) => (v == null || v === '' ? null : [h('dt', null, k), h('dd', null, v)]);
  const http = seg.http || {};
  const req = http.request || {}, resp = http.response || {};
  const out = [h('dl', { class: 'kv-grid' },
    kv('Name', seg.name), kv('Id', h('span', { class: 'mono' }, seg.id)), kv('Origin', seg.origin), kv('Namespace', seg.namespace),
    kv('Start', `${fmtTime(seg.start_time * 1000)} (+${fmtMs((seg.start_time - t0) * 1000)})`),
    kv('Duration', seg.end_time ? fmtMs((seg.end_time - seg.start_time) * 1000) : 'in progress'),
    kv('HTTP', req.method || resp.status ? `${req.method || ''} ${req.url || ''} ${resp.status ? '→ ' + resp.status : ''}` : null),
    kv('Status', seg.fault ? 'Fault' : seg.error ? 'Error' : seg.throttle ? 'Throttle' : 'OK'),
    kv('AWS', seg.aws ? h('span', { class: 'mono' }, Object.entries(seg.aws).filter(([, v]) => typeof v !== 'object').map(([k, v]) => `${k}=${v}`).join('  ')) : null),
    kv('Resource', seg.resource_arn))];
  if (seg.annotations && Object.keys(seg.annotations).length) {
    out.push(h('h3', { class: 'mt-2' }, 'Annotations'), h('dl', { class: 'kv-grid mono' },
      Object.entries(seg.annotations).map(([k, v]) => [h('dt', null, k), h('dd', null, JSON.stringify(v))])));
  }
  if (seg.metadata) out.push(h('h3', { class: 'mt-2' }, 'Metadata'), jsonTree(seg.metadata, { open: 3 }));
  if (seg.cause) out.push(h('h3', { class: 'mt-2' }, 'Cause'), jsonTree(seg.cause, { open: 3 }));
  const doc = { ...seg };
  delete doc.subsegments;
  out.push(h('details', { class: 'mt-2' }, h('summary', { class: 'muted' }, 'Document'), jsonTree(doc, { open: 1 })));
  return out;
}
