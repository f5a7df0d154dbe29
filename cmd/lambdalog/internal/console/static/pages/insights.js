// Logs Insights: a query editor over chosen log groups, saved queries, the
// AWS sample queries as templates, progress while a query runs, results as
// a table and, for stats ... by bin(...), as a chart.
import { api, h, href, jsonTree, fieldError, fmtBytes, fmtMs, fmtNum, nextCursor, rangePicker, rangeStart, setParams, timeChart, utc } from '../app.js';

const pollMs = 400;
const timeRe = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/;
const defaultQuery = 'fields @timestamp, @message, @logStream\n| sort @timestamp desc\n| limit 100';

let templates = null; // the sample queries, fetched once

export default {
  title: 'Logs Insights',
  async render(root, ctx) {
    let range = ctx.params.get('range') || '1h';
    const chosen = new Set(ctx.params.getAll('group'));
    let current = null; // the running or last query's id
    let savedID = null; // the saved query being edited

    // ---- Side: log groups, saved queries, samples, history
    const groupFilter = h('input', { type: 'search', placeholder: 'Filter', 'aria-label': 'Filter log groups', class: 'full' });
    const groupList = h('div', { class: 'group-pick' });
    const groupCount = h('span', { class: 'muted' });
    const savedList = h('ul', { class: 'side-list' });
    const sampleBox = h('div');
    const historyList = h('ul', { class: 'side-list' });
    const side = h('aside', { class: 'card' },
      h('div', { class: 'side-section' }, h('h3', null, 'Log groups ', groupCount), groupFilter, groupList),
      h('div', { class: 'side-section' }, h('h3', null, 'Saved queries'), savedList),
      h('div', { class: 'side-section' }, h('h3', null, 'Sample queries'), sampleBox),
      h('div', { class: 'side-section' }, h('h3', null, 'Recent queries'), historyList));

    // ---- Main: editor, controls, progress, chart, results
    const editor = h('textarea', { class: 'code', spellcheck: 'false', rows: 7, 'aria-label': 'Query', placeholder: defaultQuery });
    editor.value = ctx.params.get('query') || localStorage.getItem('lambdalog.query') || defaultQuery;
    const runBtn = h('button', { type: 'button', class: 'primary' }, 'Run query');
    const stopBtn = h('button', { type: 'button', class: 'hidden' }, 'Stop');
    const saveName = h('input', { type: 'text', placeholder: 'Name to save the query under', 'aria-label': 'Saved query name', class: 'save-name' });
    const saveBtn = h('button', { type: 'button' }, 'Save');
    const saveNote = h('span', { class: 'muted' });
    const errArea = h('div');
    const bar = h('div');
    const progress = h('div', { class: 'progress' }, bar);
    const progressText = h('div', { class: 'muted fs-s mt-1' });
    const progressCard = h('div', { class: 'card hidden' }, h('div', { class: 'card-body' }, progress, progressText));
    const chartEl = h('div', { class: 'chart' });
    const chartCard = h('div', { class: 'card hidden' }, h('div', { class: 'card-head' }, h('h2', null, 'Chart'), h('span', { class: 'muted', id: 'chart-note' })), chartEl);
    const resultsHead = h('div', { class: 'card-head' }, h('h2', null, 'Results'), h('span', { class: 'muted' }));
    const results = h('div', { class: 'table-wrap' });
    const resultsCard = h('div', { class: 'card hidden' }, resultsHead, results);

    root.append(
      h('div', { class: 'page-head' }, h('h1', null, 'Logs Insights'),
        h('div', { class: 'actions' }, rangePicker(range, (r) => { range = r; setParams({ range: r }); }))),
      h('div', { class: 'split' }, side,
        h('div', { class: 'stack' },
          h('div', { class: 'card' }, h('div', { class: 'card-body' },
            h('div', { class: 'editor' }, editor), errArea,
            h('div', { class: 'row mt-1' }, runBtn, stopBtn, h('span', { class: 'muted' }, h('kbd', null, 'Ctrl'), ' + ', h('kbd', null, 'Enter')),
              h('span', { class: 'grow' }), saveName, saveBtn, saveNote))),
          progressCard, chartCard, resultsCard)));

    editor.addEventListener('input', () => { editor.classList.remove('invalid'); errArea.replaceChildren(); });
    editor.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
      if (e.key === 'Tab' && !e.shiftKey) { e.preventDefault(); editor.setRangeText('  ', editor.selectionStart, editor.selectionEnd, 'end'); }
    });

    // ---- Log groups
    let allGroups = [];
    const drawGroups = () => {
      const f = groupFilter.value.trim().toLowerCase();
      groupList.replaceChildren(...allGroups.filter((g) => g.name.toLowerCase().includes(f)).map((g) =>
        h('label', null, h('input', {
          type: 'checkbox', value: g.name, checked: chosen.has(g.name),
          onchange: (e) => { if (e.target.checked) chosen.add(g.name); else chosen.delete(g.name); countGroups(); },
        }), g.name)));
      if (!allGroups.length) groupList.replaceChildren(h('div', { class: 'muted fs-s' }, 'No log groups in this region.'));
    };
    const countGroups = () => { groupCount.textContent = chosen.size ? `(${chosen.size} chosen)` : ''; };
    groupFilter.addEventListener('input', drawGroups);

    // ---- Saved queries
    const loadSaved = async () => {
      const defs = await api('querydefs', { signal: ctx.signal });
      savedList.replaceChildren(...defs.map((d) => h('li', { class: d.id === savedID ? 'selected' : '', title: d.query, onclick: () => useSaved(d) },
        h('span', { class: 'grow' }, d.name),
        h('button', { type: 'button', class: 'ghost small', title: 'Delete this saved query', 'aria-label': `Delete ${d.name}`, onclick: async (e) => {
          e.stopPropagation();
          await api(`querydefs/${encodeURIComponent(d.id)}`, { method: 'DELETE' });
          if (savedID === d.id) { savedID = null; saveName.value = ''; }
          loadSaved();
        } }, '×'))));
      if (!defs.length) savedList.replaceChildren(h('li', { class: 'sub' }, 'None yet: name a query and save it.'));
    };
    const useSaved = (d) => {
      editor.value = d.query;
      savedID = d.id;
      saveName.value = d.name;
      if (d.groups && d.groups.length) { chosen.clear(); d.groups.forEach((g) => chosen.add(g)); drawGroups(); countGroups(); }
      loadSaved();
    };
    saveBtn.addEventListener('click', async () => {
      const name = saveName.value.trim();
      if (!name) { saveName.classList.add('invalid'); saveName.focus(); return; }
      saveName.classList.remove('invalid');
      try {
        const res = await api('querydefs', { method: 'POST', body: { id: savedID || undefined, name, query: editor.value, groups: [...chosen] } });
        savedID = res.id;
        saveNote.textContent = 'Saved';
        setTimeout(() => { saveNote.textContent = ''; }, 2000);
        loadSaved();
      } catch (err) { saveNote.textContent = err.message; }
    });
    saveName.addEventListener('input', () => saveName.classList.remove('invalid'));

    // ---- Samples
    const drawSamples = () => {
      const byCat = new Map();
      for (const t of templates) { if (!byCat.has(t.category)) byCat.set(t.category, []); byCat.get(t.category).push(t); }
      let first = true;
      sampleBox.replaceChildren(...[...byCat].map(([cat, ts]) => {
        const d = h('details', { open: first }, h('summary', null, `${cat} (${ts.length})`),
          h('ul', { class: 'side-list' }, ts.map((t) => h('li', { title: t.query, onclick: () => { editor.value = t.query; savedID = null; saveName.value = ''; editor.focus(); } },
            h('span', { class: 'tmpl-purpose' }, t.purpose)))));
        first = false;
        return d;
      }));
    };

    // ---- History
    const loadHistory = async () => {
      const qs = await api('queries', { signal: ctx.signal });
      historyList.replaceChildren(...qs.slice(0, 10).map((q) => h('li', { title: q.query, onclick: () => { editor.value = q.query; chosen.clear(); q.groups.forEach((g) => chosen.add(g)); drawGroups(); countGroups(); } },
        h('span', { class: 'grow mono fs-s nowrap' }, q.query.replace(/\s+/g, ' ')),
        h('span', { class: 'sub' }, q.status === 'Complete' ? fmtMs(q.durationMs) : q.status))));
      if (!qs.length) historyList.replaceChildren(h('li', { class: 'sub' }, 'Queries you run appear here.'));
    };

    // ---- Running
    let pollTimer = null;
    const stopPolling = () => { clearTimeout(pollTimer); pollTimer = null; };
    ctx.onLeave(stopPolling);

    const run = async () => {
      stopPolling();
      errArea.replaceChildren();
      editor.classList.remove('invalid');
      const text = editor.value;
      localStorage.setItem('lambdalog.query', text);
      setParams({ query: text, group: [...chosen], range });
      const end = Date.now();
      let res;
      try {
        res = await api('queries', { method: 'POST', body: { query: text, groups: [...chosen], start: rangeStart(range), end } });
      } catch (err) {
        const d = err.detail;
        if (d && typeof d.start === 'number') {
          editor.classList.add('invalid');
          errArea.replaceChildren(fieldError(text, d.start, d.end, err.message));
          editor.focus();
          editor.setSelectionRange(d.start, Math.max(d.end, d.start + 1));
        } else errArea.replaceChildren(h('div', { class: 'notice error mt-1' }, err.message));
        return;
      }
      current = res.id;
      const estimate = res.estimatedBytes;
      progressCard.classList.remove('hidden');
      progress.classList.toggle('indeterminate', !estimate);
      bar.style.width = '0%';
      progressText.textContent = 'Starting…';
      runBtn.disabled = true;
      stopBtn.classList.remove('hidden');
      const started = performance.now();
      const tick = async () => {
        if (current !== res.id) return;
        let r;
        try { r = await api(`queries/${encodeURIComponent(res.id)}`, { signal: ctx.signal }); } catch (err) {
          if (!ctx.left) { errArea.replaceChildren(h('div', { class: 'notice error' }, err.message)); finish(); }
          return;
        }
        if (current !== res.id) return;
        const ended = !['Scheduled', 'Running'].includes(r.status);
        const pct = ended ? 100 : estimate ? Math.min(99, (100 * r.bytesScanned) / estimate) : 0;
        bar.style.width = pct + '%';
        progress.classList.toggle('indeterminate', !ended && !estimate);
        progressText.textContent = `${r.status} · ${fmtNum(r.recordsScanned)} records (${fmtBytes(r.bytesScanned)}) scanned · ${fmtNum(r.recordsMatched)} matched · ` +
          `${fmtNum(r.rows.length)} rows · ${fmtMs(ended && r.durationMs != null ? r.durationMs : performance.now() - started)}` +
          (r.groups.length ? ` · ${r.groups.length === 1 ? r.groups[0] : r.groups.length + ' log groups'}` : '');
        if (r.error) errArea.replaceChildren(h('div', { class: 'notice error mt-1' }, r.error));
        draw(r, text);
        if (ended) { finish(); loadHistory(); return; }
        pollTimer = setTimeout(tick, pollMs);
      };
      tick();
    };
    const finish = () => { runBtn.disabled = false; stopBtn.classList.add('hidden'); stopPolling(); };
    runBtn.addEventListener('click', run);
    stopBtn.addEventListener('click', async () => { if (current) { try { await api(`queries/${encodeURIComponent(current)}`, { method: 'DELETE' }); } catch { /* it ended meanwhile */ } } });

    // ---- Results
    let chart = null;
    const draw = (r, text) => {
      resultsCard.classList.remove('hidden');
      resultsHead.lastChild.textContent = `${fmtNum(r.rows.length)} ${r.rows.length === 1 ? 'row' : 'rows'}${r.truncated ? ' so far (the first 1,000 shown while running)' : ''}`;
      if (!r.rows.length) {
        results.replaceChildren(h('div', { class: 'empty' }, ['Scheduled', 'Running'].includes(r.status) ? 'Running…' : 'No results: no event in the time range matched.'));
      } else {
        const msgCol = r.columns.indexOf('@message');
        const numeric = r.columns.map((c, j) => r.rows.every((row) => row[j] == null || (row[j] !== '' && !isNaN(Number(row[j])))));
        results.replaceChildren(h('table', { class: 'results' },
          h('thead', null, h('tr', null, r.columns.map((c, j) => h('th', { class: numeric[j] ? 'num' : '' }, c)))),
          h('tbody', null, r.rows.map((row, i) => {
            const tr = h('tr', { class: r.ptrs[i] ? 'clickable' : '' }, row.map((v, j) => h('td', { class: j === msgCol ? 'cell-msg' : numeric[j] ? 'num' : '', title: j === msgCol ? v : null }, v ?? '')));
            if (r.ptrs[i]) tr.addEventListener('click', () => toggleRecord(tr, r.ptrs[i], r.columns.length));
            return tr;
          }))));
      }
      drawChart(r, text);
    };

    const drawChart = (r, text) => {
      if (chart) { chart.disconnect(); chart.destroy(); chart = null; }
      const spec = chartSpec(r, text);
      chartCard.classList.toggle('hidden', !spec);
      if (!spec) return;
      chartEl.replaceChildren();
      chart = timeChart(chartEl, spec.xs, spec.series, { height: 240 });
      chartCard.querySelector('#chart-note').textContent = `${spec.series.length} ${spec.series.length === 1 ? 'series' : 'series'} by ${spec.timeCol}${utc() ? '' : ' (shown in local time)'}`;
    };
    ctx.onLeave(() => { if (chart) chart.disconnect(); });

    const toggleRecord = async (tr, ptr, span) => {
      const next = tr.nextElementSibling;
      if (next && next.classList.contains('record')) { next.remove(); tr.classList.remove('selected'); return; }
      tr.classList.add('selected');
      const cell = h('td', { colspan: span }, 'Loading…');
      tr.after(h('tr', { class: 'record' }, cell));
      try {
        const rec = await api('record', { params: { ptr } });
        const msg = rec.fields.find((f) => f.field === '@message');
        let obj = null;
        try { obj = msg && JSON.parse(msg.value); } catch { /* text */ }
        cell.replaceChildren(
          h('div', { class: 'record-fields' }, rec.fields.filter((f) => f.field !== '@message').map((f) => [h('span', { class: 'k' }, f.field), h('span', { class: 'v' }, f.value)])),
          h('div', { class: 'muted mt-1 mb-1' }, '@message'),
          obj && typeof obj === 'object' ? jsonTree(obj, { open: 3 }) : h('pre', { class: 'block' }, msg ? msg.value : ''),
          h('div', { class: 'mt-1' }, h('a', { class: 'button small', href: href('events', { group: rec.group, stream: rec.stream, before: nextCursor(rec.id) }) }, 'Show in stream')));
      } catch (err) { cell.replaceChildren(h('span', { class: 'notice error' }, err.message)); }
    };

    // ---- Load the side
    const [groups] = await Promise.all([
      api('groups', { signal: ctx.signal }),
      templates ? null : fetch('/console/static/insights-templates.json').then((r) => r.json()).then((t) => { templates = t; }),
    ]);
    allGroups = groups;
    if (!chosen.size) {
      const last = JSON.parse(localStorage.getItem('lambdalog.groups') || '[]').filter((g) => groups.some((x) => x.name === g));
      (last.length ? last : groups.slice(0, 1).map((g) => g.name)).forEach((g) => chosen.add(g));
    }
    ctx.onLeave(() => localStorage.setItem('lambdalog.groups', JSON.stringify([...chosen])));
    drawGroups();
    countGroups();
    drawSamples();
    await Promise.all([loadSaved(), loadHistory()]);
    if (ctx.params.get('query') && ctx.params.get('run')) run();
  },
};

// chartSpec finds the time series in the results of stats ... by bin(...):
// the column of bin() times, the numeric columns, and one series per
// value of the other group-by columns.
function chartSpec(r, text) {
  if (!/\bstats\b[\s\S]*\bby\b[\s\S]*\bbin\s*\(/i.test(text) || !r.rows.length) return null;
  const cols = r.columns;
  const isTime = (j) => r.rows.every((row) => row[j] == null || timeRe.test(row[j]));
  let t = cols.findIndex((c, j) => /^bin\s*\(/i.test(c) && isTime(j));
  if (t < 0) t = cols.findIndex((c, j) => c !== '@timestamp' && isTime(j) && r.rows.some((row) => row[j] != null));
  if (t < 0) return null;
  const numeric = [], keys = [];
  cols.forEach((c, j) => {
    if (j === t) return;
    if (r.rows.every((row) => row[j] == null || (row[j] !== '' && !isNaN(Number(row[j]))))) numeric.push(j);
    else keys.push(j);
  });
  if (!numeric.length) return null;
  const secs = (v) => Date.parse(v.replace(' ', 'T') + 'Z') / 1000;
  const xs = [...new Set(r.rows.filter((row) => row[t] != null).map((row) => secs(row[t])))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const series = new Map();
  for (const row of r.rows) {
    if (row[t] == null) continue;
    const key = keys.map((j) => row[j] ?? '').join(' · ');
    for (const j of numeric) {
      const label = key ? (numeric.length > 1 ? `${key} · ${cols[j]}` : key) : cols[j];
      if (!series.has(label)) series.set(label, { label, values: new Array(xs.length).fill(null) });
      if (row[j] != null) series.get(label).values[at.get(secs(row[t]))] = Number(row[j]);
    }
  }
  return { xs, series: [...series.values()].slice(0, 20), timeCol: cols[t] };
}
