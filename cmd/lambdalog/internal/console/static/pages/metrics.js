// Metrics: the namespaces and metrics that EMF log lines, metric filters and PutMetricData
// recorded, and a graph of one statistic of a metric over time.
import { api, h, fmtNum, rangePicker, rangeStart, setParams, timeChart } from '../app.js';

const stats = ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount', 'p50', 'p90', 'p99'];
const periods = [[1, '1 second'], [10, '10 seconds'], [60, '1 minute'], [300, '5 minutes'], [900, '15 minutes'], [3600, '1 hour'], [86400, '1 day']];

export default {
  title: 'Metrics',
  async render(root, ctx) {
    let ns = ctx.params.get('namespace') || '';
    let sel = ctx.params.get('name') ? { name: ctx.params.get('name'), dims: ctx.params.getAll('dim') } : null;
    let stat = ctx.params.get('stat') || 'Average';
    let period = Number(ctx.params.get('period')) || 60;
    let range = ctx.params.get('range') || '3h';

    const nsSelect = h('select', { 'aria-label': 'Namespace', class: 'full' });
    const filter = h('input', { type: 'search', placeholder: 'Filter metrics', 'aria-label': 'Filter metrics', class: 'full mt-1' });
    const list = h('ul', { class: 'side-list metric-list' });
    const statSelect = h('select', { 'aria-label': 'Statistic' }, stats.map((s) => h('option', { value: s, selected: s === stat }, s)));
    const periodSelect = h('select', { 'aria-label': 'Period' }, periods.map(([p, l]) => h('option', { value: p, selected: p === period }, l)));
    const title = h('h2', { class: 'grow' });
    const chartEl = h('div', { class: 'chart' });
    const summary = h('div', { class: 'stats' });
    const main = h('div', { class: 'card' },
      h('div', { class: 'card-head' }, title, statSelect, periodSelect),
      chartEl, summary);
    root.append(
      h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Metrics'), h('div', { class: 'muted' }, 'From Embedded Metric Format log lines and PutMetricData')),
        h('div', { class: 'actions' }, rangePicker(range, (r) => { range = r; graph(); }))),
      h('div', { class: 'split' }, h('aside', { class: 'card' }, h('div', { class: 'side-section' }, nsSelect, filter), h('div', { class: 'side-section' }, list)), main));

    let series = [];
    const same = (s) => sel && s.name === sel.name && dimKeys(s).join('\n') === [...sel.dims].sort().join('\n');
    const drawList = () => {
      const f = filter.value.trim().toLowerCase();
      const shown = series.filter((s) => (s.name + ' ' + dimKeys(s).join(' ')).toLowerCase().includes(f));
      list.replaceChildren(...shown.map((s) => h('li', { class: same(s) ? 'selected' : '', onclick: () => { sel = { name: s.name, dims: dimKeys(s) }; drawList(); graph(); } },
        h('div', { class: 'grow' }, h('div', { class: 'mono fs-s' }, s.name),
          h('div', { class: 'dims' }, s.dimensions.map((d) => h('span', { class: 'dim' }, `${d.Name}=${d.Value}`)))))));
      if (!shown.length) list.replaceChildren(h('li', { class: 'sub' }, series.length ? 'No metric matches.' : 'No metrics in this namespace.'));
    };

    let chart = null;
    ctx.onLeave(() => { if (chart) chart.disconnect(); });
    const graph = async () => {
      setParams({ namespace: ns, name: sel && sel.name, dim: sel ? sel.dims : [], stat, period, range });
      if (chart) { chart.disconnect(); chart.destroy(); chart = null; }
      if (!sel) {
        title.textContent = 'No metric chosen';
        chartEl.replaceChildren(h('div', { class: 'empty' }, 'Choose a metric on the left.'));
        summary.replaceChildren();
        return;
      }
      title.replaceChildren(h('span', { class: 'mono' }, `${ns} / ${sel.name}`), ' ', h('span', { class: 'dims inline' }, sel.dims.map((d) => h('span', { class: 'dim' }, d))));
      const end = Date.now();
      let res;
      try {
        res = await api('metrics/data', { params: { namespace: ns, name: sel.name, dim: sel.dims, stat, period, start: rangeStart(range), end }, signal: ctx.signal });
      } catch (err) {
        chartEl.replaceChildren(h('div', { class: 'card-body' }, h('div', { class: 'notice error' }, err.message)));
        return;
      }
      chartEl.replaceChildren();
      const unit = res.unit ? ` (${res.unit})` : '';
      if (!res.timestamps.length) chartEl.append(h('div', { class: 'empty' }, `No data points in the last ${range}.`));
      else {
        chart = timeChart(chartEl, res.timestamps.map((t) => t / 1000), [{ label: `${stat}${unit}`, values: res.values }],
          { height: 300, fmtY: fmtValue, bars: res.timestamps.length < 3, xRange: [rangeStart(range) / 1000, end / 1000] });
      }
      const vals = res.values;
      summary.replaceChildren(
        stat2('Data points', fmtNum(vals.length)),
        stat2('Latest', vals.length ? fmtValue(vals[vals.length - 1]) + unit : '—'),
        stat2('Minimum', vals.length ? fmtValue(Math.min(...vals)) : '—'),
        stat2('Maximum', vals.length ? fmtValue(Math.max(...vals)) : '—'));
    };
    statSelect.addEventListener('change', () => { stat = statSelect.value; graph(); });
    periodSelect.addEventListener('change', () => { period = Number(periodSelect.value); graph(); });
    filter.addEventListener('input', drawList);

    const loadNamespace = async () => {
      const res = await api('metrics', { params: { namespace: ns }, signal: ctx.signal });
      if (!ns && res.namespaces.length) { ns = res.namespaces[0]; return loadNamespace(); }
      nsSelect.replaceChildren(...res.namespaces.map((n) => h('option', { value: n, selected: n === ns }, n)));
      if (!res.namespaces.length) nsSelect.replaceChildren(h('option', null, 'No namespaces yet'));
      series = res.series;
      if (!sel && series.length) sel = { name: series[0].name, dims: dimKeys(series[0]) };
      drawList();
      await graph();
    };
    nsSelect.addEventListener('change', () => { ns = nsSelect.value; sel = null; loadNamespace(); });
    await loadNamespace();
  },
};

function dimKeys(s) { return s.dimensions.map((d) => `${d.Name}=${d.Value}`).sort(); }

function fmtValue(v) {
  if (v == null) return '—';
  if (Number.isInteger(v)) return fmtNum(v);
  return Math.abs(v) >= 100 ? fmtNum(Math.round(v * 10) / 10) : String(Math.round(v * 1000) / 1000);
}

function stat2(label, value) {
  return h('div', { class: 'stat' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}
