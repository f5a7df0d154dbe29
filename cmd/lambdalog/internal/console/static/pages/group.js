// A log group: its figures and its streams, newest first.
import { api, h, href, link, fmtAgo, fmtBytes, fmtNum, fmtTime, setParams } from '../app.js';

const pageSize = 100;

export default {
  title: 'Log group',
  async render(root, ctx) {
    const group = ctx.params.get('group');
    if (!group) throw new Error('No log group given.');
    const filter = h('input', { type: 'search', placeholder: 'Filter streams by name', value: ctx.params.get('contains') || '', class: 'grow', 'aria-label': 'Filter log streams' });
    const stats = h('div', { class: 'stats' });
    const body = h('div', { class: 'table-wrap' });
    const foot = h('div', { class: 'events-foot' });
    root.append(
      h('div', { class: 'page-head' },
        h('div', { class: 'grow' },
          h('div', { class: 'crumbs' }, link(href('logs'), 'Log groups'), h('span', { class: 'sep' }, '›')),
          h('h1', { class: 'title-mono' }, group)),
        h('div', { class: 'actions' },
          h('a', { class: 'button', href: href('events', { group }) }, 'Search all streams'),
          h('a', { class: 'button', href: href('events', { group, live: 1 }) }, 'Live tail'),
          h('a', { class: 'button', href: href('insights', { group }) }, 'Query in Logs Insights'))),
      h('div', { class: 'card' }, stats),
      h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Log streams'), filter), body, foot));

    let shown = 0;
    const load = async (more) => {
      const res = await api('streams', { params: { group, contains: filter.value.trim(), offset: more ? shown : 0, limit: pageSize }, signal: ctx.signal });
      const g = res.group;
      stats.replaceChildren(
        stat('Stored', fmtBytes(g.storedBytes)), stat('Streams', fmtNum(g.streams)),
        stat('Retention', g.retentionDays ? `${fmtNum(g.retentionDays)} days` : 'Never expire'),
        stat('Last event', g.lastEvent ? fmtAgo(g.lastEvent) : '—', g.lastEvent ? fmtTime(g.lastEvent) : ''),
        stat('Created', fmtTime(g.creationTime, { millis: false })));
      const rows = res.streams.map((s) => h('tr', null,
        h('td', { class: 'mono' }, link(href('events', { group, stream: s.name }), s.name)),
        h('td', { class: 'nowrap', title: s.lastEvent ? fmtTime(s.lastEvent) : '' }, s.lastEvent ? fmtAgo(s.lastEvent) : h('span', { class: 'muted' }, 'no events')),
        h('td', { class: 'nowrap muted' }, s.firstEvent ? fmtTime(s.firstEvent) : ''),
        h('td', { class: 'num' }, fmtBytes(s.storedBytes))));
      if (!more) {
        shown = 0;
        body.replaceChildren(res.total === 0 ? h('div', { class: 'empty' }, filter.value ? 'No stream name contains that text.' : 'This group has no streams yet.')
          : h('table', null, h('thead', null, h('tr', null, h('th', null, 'Log stream'), h('th', null, 'Last event'), h('th', null, 'First event'), h('th', { class: 'num' }, 'Stored'))),
            h('tbody', null)));
      }
      const tbody = body.querySelector('tbody');
      if (tbody) tbody.append(...rows);
      shown += rows.length;
      foot.replaceChildren(h('span', null, `${fmtNum(shown)} of ${fmtNum(res.total)} streams`));
      if (shown < res.total) foot.append(h('button', { class: 'small', type: 'button', onclick: () => load(true) }, 'Show more'));
    };
    let timer;
    filter.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => { setParams({ contains: filter.value.trim() }); load(false); }, 200);
    });
    await load(false);
  },
};

function stat(label, value, title) {
  return h('div', { class: 'stat', title: title || null }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
}
