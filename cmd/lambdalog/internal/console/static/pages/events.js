// Events of a log group, or of some of its streams: newest first, paged,
// narrowed by a filter pattern, followed live.
import { api, h, href, link, eventRow, fieldError, fmtNum, fmtTime, rangePicker, rangeStart, setParams, navigate } from '../app.js';

const maxLiveRows = 2000;
const pollMs = 1000;

export default {
  title: 'Log events',
  async render(root, ctx) {
    const group = ctx.params.get('group');
    if (!group) throw new Error('No log group given.');
    const streams = ctx.params.getAll('stream');
    let range = ctx.params.get('range') || 'all';
    const before = ctx.params.get('before');
    const showStream = streams.length !== 1;

    const pattern = h('input', {
      type: 'text', class: 'code grow', spellcheck: 'false', autocomplete: 'off', value: ctx.params.get('pattern') || '',
      placeholder: 'Filter pattern: ERROR, "exact phrase", ?alt1 ?alt2, { $.level = "ERROR" }, [ip, user, ...]', 'aria-label': 'Filter pattern',
    });
    const searchBtn = h('button', { type: 'submit', class: 'primary' }, 'Search');
    const liveBtn = h('button', { type: 'button', title: 'Show new events as they arrive' }, h('span', { class: 'live-dot' }), 'Live tail');
    const errArea = h('div');
    const list = h('div', { class: 'events' + (showStream ? ' with-stream' : '') });
    const status = h('span', { class: 'grow' });
    const olderBtn = h('button', { type: 'button', class: 'small hidden' }, 'Load older');
    const foot = h('div', { class: 'events-foot' }, status, olderBtn);
    const title = streams.length === 1 ? streams[0] : streams.length ? `${streams.length} streams` : 'All streams';

    root.append(
      h('div', { class: 'page-head' },
        h('div', { class: 'grow' },
          h('div', { class: 'crumbs' }, link(href('logs'), 'Log groups'), h('span', { class: 'sep' }, '›'), link(href('group', { group }), group), h('span', { class: 'sep' }, '›')),
          h('h1', { class: 'title-mono' }, title)),
        h('div', { class: 'actions' }, h('a', { class: 'button', href: href('insights', { group }) }, 'Query in Logs Insights'))),
      h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); search(); } }, pattern, searchBtn,
        rangePicker(range, (r) => { range = r; setParams({ range: r === 'all' ? '' : r }); reload(); }, { withAll: true }), liveBtn),
      errArea,
      h('div', { class: 'card mt-2' }, list, foot));

    let older = null; // cursor to read older events from
    let newer = null; // cursor to follow from
    let examined = 0;
    let loading = false;
    let gen = 0; // bumped by reload: answers of an earlier generation are dropped

    const params = (extra) => ({ group, stream: streams, pattern: pattern.value.trim(), start: range === 'all' ? null : rangeStart(range), ...extra });

    const showError = (err) => {
      const d = err.detail;
      if (d && typeof d.offset === 'number') {
        pattern.classList.add('invalid');
        errArea.replaceChildren(fieldError(pattern.value, d.offset, d.offset + 1, err.message));
      } else errArea.replaceChildren(h('div', { class: 'notice error mt-1' }, err.message));
    };
    pattern.addEventListener('input', () => { pattern.classList.remove('invalid'); errArea.replaceChildren(); });

    const showStatus = (partial, searchedTo) => {
      const n = list.children.length;
      let s = `${fmtNum(n)} ${n === 1 ? 'event' : 'events'}`;
      if (pattern.value.trim()) s += ` matching · ${fmtNum(examined)} examined`;
      if (partial && searchedTo) s += ` · searched back to ${fmtTime(searchedTo)}`;
      status.textContent = s;
      olderBtn.classList.toggle('hidden', !older);
      if (!n && !older) list.replaceChildren(h('div', { class: 'empty' }, pattern.value.trim() ? 'No event matches the filter pattern.' : 'No events.'));
    };

    const loadOlder = async (first) => {
      if (loading) return;
      loading = true;
      olderBtn.disabled = true;
      const g = gen;
      try {
        const res = await api('events', { params: params({ before: first ? before : older }), signal: ctx.signal });
        if (g !== gen) return;
        if (first) { list.replaceChildren(); newer = res.newer || null; }
        for (const ev of res.events) list.append(eventRow(ev, { group, showStream }));
        examined += res.examined;
        older = res.older || null;
        const lastID = res.partial && older ? Number(older.split('.')[0]) : null;
        showStatus(res.partial, lastID);
      } catch (err) {
        if (g !== gen || ctx.left) return;
        showError(err);
        if (first) {
          list.replaceChildren(h('div', { class: 'empty' }, err.detail ? 'Correct the filter pattern to search.' : 'The events could not be read.'));
          status.textContent = '';
        }
      } finally {
        loading = false;
        olderBtn.disabled = false;
      }
    };
    olderBtn.addEventListener('click', () => loadOlder(false));

    // Live tail: poll forward from the newest cursor, newest on top.
    let live = false;
    let polling = false;
    const poll = async () => {
      if (!live || polling || !newer) return;
      polling = true;
      const g = gen;
      try {
        const res = await api('events', { params: params({ after: newer, start: null }), signal: ctx.signal });
        if (g !== gen || !live) return;
        newer = res.newer || newer;
        if (res.events.length) {
          const empty = list.querySelector('.empty');
          if (empty) empty.remove();
          for (const ev of res.events) list.prepend(eventRow(ev, { group, showStream, fresh: true }));
          while (list.children.length > maxLiveRows) list.lastElementChild.remove();
          if (list.children.length === maxLiveRows) older = list.lastElementChild.dataset.id;
          examined += res.examined;
          showStatus(false);
        }
        if (res.partial) setTimeout(poll, 0);
      } catch (err) {
        if (g === gen && !ctx.left) showError(err);
      } finally {
        polling = false;
      }
    };
    ctx.every(pollMs, poll);
    const setLive = (on) => {
      if (on && before) { navigate(href('events', { group, stream: streams, pattern: pattern.value.trim(), live: 1 }), { replace: true }); return; }
      live = on;
      liveBtn.classList.toggle('on', on);
      liveBtn.setAttribute('aria-pressed', String(on));
      setParams({ live: on ? 1 : '' });
      if (on) poll();
    };
    liveBtn.addEventListener('click', () => setLive(!live));

    const reload = async () => {
      gen++;
      older = newer = null;
      examined = 0;
      loading = false;
      list.replaceChildren(h('div', { class: 'empty' }, 'Loading…'));
      await loadOlder(true);
    };
    const search = () => {
      setParams({ pattern: pattern.value.trim(), before: '' });
      errArea.replaceChildren();
      pattern.classList.remove('invalid');
      reload();
    };

    // Load older events by themselves when the end of the list comes into view.
    const io = new IntersectionObserver((es) => { if (es.some((e) => e.isIntersecting) && older && !live) loadOlder(false); });
    io.observe(foot);
    ctx.onLeave(() => io.disconnect());

    await reload();
    if (ctx.params.get('live')) setLive(true);
  },
};
