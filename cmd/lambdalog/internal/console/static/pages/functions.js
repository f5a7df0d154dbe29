// Functions (lambdalog dev): each function, its recent invocations and an
// invoke form with an event editor.
import { api, h, href, link, fmtAgo, fmtMs, fmtNum, fmtTime, jsonTree, setParams, timeChart, hasPage } from '../app.js';

const samples = {
  'Empty event': {},
  'API Gateway (REST) GET': {
    resource: '/hello/{name}', path: '/hello/world', httpMethod: 'GET', headers: { Accept: 'application/json' },
    queryStringParameters: null, pathParameters: { name: 'world' }, requestContext: { resourcePath: '/hello/{name}', httpMethod: 'GET', stage: 'Prod', requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
    body: null, isBase64Encoded: false,
  },
  'HTTP API (2.0) GET': {
    version: '2.0', routeKey: 'GET /hello/{name}', rawPath: '/hello/world', rawQueryString: '', headers: { accept: 'application/json' },
    requestContext: { http: { method: 'GET', path: '/hello/world', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' }, requestId: 'JKJaXmPLvHcESHA=', stage: '$default' },
    pathParameters: { name: 'world' }, isBase64Encoded: false,
  },
};

export default {
  title: 'Functions',
  async render(root, ctx) {
    const fns = await api('functions', { signal: ctx.signal });
    let name = ctx.params.get('name') || (fns[0] && fns[0].name);
    const listBody = h('div', { class: 'table-wrap' });
    const detail = h('div');
    root.append(
      h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Functions'), h('div', { class: 'muted' }, 'Run locally by lambdalog dev'))),
      h('div', { class: 'card' }, listBody),
      detail);

    const drawList = (fns) => {
      if (!fns.length) { listBody.replaceChildren(h('div', { class: 'empty' }, 'No functions.')); return; }
      listBody.replaceChildren(h('table', null,
        h('thead', null, h('tr', null, ['Function', 'Runtime', 'Memory', 'Timeout', 'Invocations', 'Errors', 'Cold starts', 'Environments', 'Last invoked'].map((c, i) => h('th', { class: i >= 2 && i <= 7 ? 'num' : '' }, c)))),
        h('tbody', null, fns.map((f) => {
          const tr = h('tr', { class: 'clickable' + (f.name === name ? ' selected' : '') },
            h('td', { class: 'mono' }, f.name, f.routes.length ? h('div', { class: 'dims' }, f.routes.map((r) => h('span', { class: 'dim' }, `${r.Method} ${r.Path}`))) : null),
            h('td', { class: 'muted' }, f.runtime), h('td', { class: 'num' }, `${f.memoryMB} MB`), h('td', { class: 'num' }, fmtMs(f.timeoutMs)),
            h('td', { class: 'num' }, fmtNum(f.invocations)),
            h('td', { class: 'num' }, f.errors ? h('span', { class: 'badge error' }, fmtNum(f.errors)) : '0'),
            h('td', { class: 'num' }, fmtNum(f.coldStarts)), h('td', { class: 'num' }, fmtNum(f.environments)),
            h('td', { class: 'nowrap', title: f.lastInvoked ? fmtTime(f.lastInvoked) : '' }, f.lastInvoked ? fmtAgo(f.lastInvoked) : h('span', { class: 'muted' }, 'never')));
          tr.addEventListener('click', () => { name = f.name; setParams({ name }); drawList(fns); show(f); });
          return tr;
        }))));
    };

    let chart = null;
    ctx.onLeave(() => { if (chart) chart.disconnect(); });

    const show = (f) => {
      const editor = h('textarea', { class: 'code', rows: 9, spellcheck: 'false', 'aria-label': 'Event payload (JSON)' });
      editor.value = localStorage.getItem('lambdalog.event.' + f.name) || '{}';
      const valid = h('span', { class: 'muted' });
      const check = () => {
        try { JSON.parse(editor.value); editor.classList.remove('invalid'); valid.textContent = 'Valid JSON'; valid.className = 'muted'; return true; } catch (err) {
          editor.classList.add('invalid'); valid.textContent = err.message; valid.className = 'notice error'; return false;
        }
      };
      editor.addEventListener('input', check);
      const sample = h('select', { 'aria-label': 'Sample events' }, h('option', { value: '' }, 'Sample events…'), Object.keys(samples).map((k) => h('option', { value: k }, k)));
      sample.addEventListener('change', () => { if (sample.value) { editor.value = JSON.stringify(samples[sample.value], null, 2); check(); sample.value = ''; } });
      const formatBtn = h('button', { type: 'button', onclick: () => { if (check()) editor.value = JSON.stringify(JSON.parse(editor.value), null, 2); } }, 'Format');
      const invokeBtn = h('button', { type: 'button', class: 'primary' }, 'Invoke');
      const result = h('div', { class: 'invoke-result' });
      const invBody = h('div', { class: 'table-wrap' });
      const chartEl = h('div', { class: 'chart' });
      const resultCard = h('div', { class: 'card hidden' }, h('div', { class: 'card-head' }, h('h2', null, 'Result')), h('div', { class: 'card-body' }, result));
      detail.replaceChildren(
        h('div', { class: 'halves mt-3' },
          h('div', { class: 'card' },
            h('div', { class: 'card-head' }, h('h2', { class: 'grow' }, 'Invoke ', h('span', { class: 'mono' }, f.name)), sample, formatBtn),
            h('div', { class: 'card-body' }, editor, h('div', { class: 'row mt-1' }, invokeBtn, valid))),
          h('div', { class: 'stack' }, resultCard,
            h('div', { class: 'card' },
              h('div', { class: 'card-head' }, h('h2', null, 'Configuration')),
              h('div', { class: 'card-body' }, h('dl', { class: 'kv-grid' },
                kv('Runtime', f.runtime), kv('Handler', f.handler), kv('Memory', `${f.memoryMB} MB`), kv('Timeout', fmtMs(f.timeoutMs)),
                kv('Log group', link(href('group', { group: f.logGroup }), f.logGroup)), kv('Log format', f.logFormat),
                kv('Tracing', f.tracing ? 'Active' : 'PassThrough'),
                kv('Routes', f.routes.length ? f.routes.map((r) => h('div', { class: 'mono' }, `${r.Kind} ${r.Method} ${r.Path}`)) : '—')))))),
        h('div', { class: 'card mt-3' },
          h('div', { class: 'card-head' }, h('h2', { class: 'grow' }, 'Recent invocations'), h('a', { class: 'button small', href: href('events', { group: f.logGroup, live: 1 }) }, 'Live tail')),
          chartEl, invBody));
      check();

      const loadInvocations = async () => {
        const invs = await api(`functions/${encodeURIComponent(f.name)}/invocations`, { signal: ctx.signal });
        if (chart) { chart.disconnect(); chart.destroy(); chart = null; }
        chartEl.replaceChildren();
        if (invs.length > 1) {
          const asc = [...invs].reverse();
          chart = timeChart(chartEl, asc.map((i) => i.start / 1000), [
            { label: 'Duration', values: asc.map((i) => i.durationMs) },
            { label: 'Init duration', values: asc.map((i) => i.initDurationMs || null) }], { height: 160, fmtY: (v) => fmtMs(v) });
        }
        if (!invs.length) { invBody.replaceChildren(h('div', { class: 'empty' }, 'No invocations yet: invoke the function above, through its API routes or with aws lambda invoke.')); return; }
        invBody.replaceChildren(h('table', { class: 'invocations' },
          h('thead', null, h('tr', null, ['Time', 'Request id', 'Duration', 'Init (cold start)', 'Memory used', 'Status'].map((c, i) => h('th', { class: i >= 2 && i <= 4 ? 'num' : '' }, c)))),
          h('tbody', null, invs.map((i) => h('tr', null,
            h('td', { class: 'nowrap' }, fmtTime(i.start)),
            h('td', { class: 'mono' }, link(href('events', { group: f.logGroup, stream: i.logStream, pattern: `"${i.requestId}"` }), i.requestId),
              i.traceId && hasPage('trace') ? [' ', link(href('trace', { id: i.traceId }), 'trace')] : null),
            h('td', { class: 'num' }, fmtMs(i.durationMs)),
            h('td', { class: 'num' }, i.initDurationMs ? [h('span', { class: 'badge cold' }, 'cold'), ' ', fmtMs(i.initDurationMs)] : h('span', { class: 'muted' }, '—')),
            h('td', { class: 'num' }, `${i.maxMemoryUsedMB} / ${i.memoryMB} MB`),
            h('td', null, i.errorType ? h('span', { class: 'badge error' }, i.errorType) : h('span', { class: 'badge ok' }, i.status)))))));
      };

      invokeBtn.addEventListener('click', async () => {
        if (!check()) return;
        localStorage.setItem('lambdalog.event.' + f.name, editor.value);
        invokeBtn.disabled = true;
        resultCard.classList.remove('hidden');
        result.replaceChildren(h('div', { class: 'muted' }, 'Invoking…'));
        try {
          const out = await api(`functions/${encodeURIComponent(f.name)}/invoke`, { method: 'POST', body: editor.value });
          let payload = out.payload;
          try { payload = JSON.parse(out.payload); } catch { /* not JSON */ }
          result.replaceChildren(
            h('div', { class: 'row mb-1' },
              out.errorType ? h('span', { class: 'badge error' }, out.errorType) : h('span', { class: 'badge ok' }, 'Succeeded'),
              h('span', { class: 'muted' }, `${fmtMs(out.elapsedMs)} · request `), h('span', { class: 'mono' }, out.requestId)),
            h('h3', null, 'Response'),
            payload !== null && typeof payload === 'object' ? h('pre', { class: 'block' }, jsonTree(payload, { open: 3 })) : h('pre', { class: 'block' }, out.payload),
            h('div', { class: 'row mt-2 mb-1' }, h('h3', { class: 'grow' }, 'Log'), h('a', { class: 'button small', href: href('events', { group: out.logGroup, stream: out.logStream }) }, 'Open the log stream')),
            h('pre', { class: 'block log' }, out.log));
        } catch (err) {
          result.replaceChildren(h('div', { class: 'notice error' }, err.message));
        } finally {
          invokeBtn.disabled = false;
        }
        const fresh = await api('functions', { signal: ctx.signal });
        drawList(fresh);
        loadInvocations();
      });
      loadInvocations();
    };

    drawList(fns);
    const f = fns.find((x) => x.name === name);
    if (f) show(f);
  },
};

function kv(k, v) { return [h('dt', null, k), h('dd', null, v)]; }
