// Logs: the region's log groups.
import { api, h, href, link, fmtAgo, fmtBytes, fmtNum, fmtTime, region, setParams } from '../app.js';

export default {
  title: 'Log groups',
  async render(root, ctx) {
    const filter = h('input', { type: 'search', placeholder: 'Filter log groups by prefix', value: ctx.params.get('prefix') || '', class: 'grow', 'aria-label': 'Filter log groups' });
    const body = h('div', { class: 'table-wrap' });
    const count = h('span', { class: 'muted' });
    root.append(
      h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Log groups'), h('div', { class: 'muted' }, `Region ${region()}`))),
      h('div', { class: 'card' },
        h('div', { class: 'card-head' }, filter, count),
        body));

    const load = async () => {
      const groups = await api('groups', { params: { prefix: filter.value.trim() }, signal: ctx.signal });
      count.textContent = `${fmtNum(groups.length)} ${groups.length === 1 ? 'group' : 'groups'}`;
      if (groups.length === 0) {
        body.replaceChildren(h('div', { class: 'empty' },
          filter.value ? 'No log group starts with that prefix.' : h('div', null,
            h('p', null, `No log groups in ${region()} yet.`),
            h('p', null, 'Run ', h('code', null, 'lambdalog dev'), ' and invoke a function, or point an AWS SDK or CLI at this server (', h('code', null, `--endpoint-url ${location.origin}`), ').'))));
        return;
      }
      body.replaceChildren(h('table', null,
        h('thead', null, h('tr', null, h('th', null, 'Log group'), h('th', { class: 'num' }, 'Streams'), h('th', { class: 'num' }, 'Stored'),
          h('th', null, 'Retention'), h('th', null, 'Last event'), h('th', null, 'Created'))),
        h('tbody', null, groups.map((g) => h('tr', null,
          h('td', { class: 'mono' }, link(href('group', { group: g.name }), g.name)),
          h('td', { class: 'num' }, fmtNum(g.streams)),
          h('td', { class: 'num' }, fmtBytes(g.storedBytes)),
          h('td', null, g.retentionDays ? `${fmtNum(g.retentionDays)} days` : h('span', { class: 'muted' }, 'Never expire')),
          h('td', { class: 'nowrap', title: g.lastEvent ? fmtTime(g.lastEvent) : '' }, g.lastEvent ? fmtAgo(g.lastEvent) : h('span', { class: 'muted' }, '—')),
          h('td', { class: 'nowrap muted' }, fmtTime(g.creationTime, { millis: false })))))));
    };
    let timer;
    filter.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => { setParams({ prefix: filter.value.trim() }); load().catch(show); }, 200);
    });
    const show = (err) => { if (!ctx.left) body.replaceChildren(h('div', { class: 'card-body' }, h('div', { class: 'notice error' }, err.message))); };
    await load();
  },
};
