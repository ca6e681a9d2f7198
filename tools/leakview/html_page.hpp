// The static parts of the --format html page: inline CSS and the script that draws the
// flame graph and tables from the embedded report JSON. No network access, no libraries.
#pragma once

namespace leakview {

inline constexpr const char* kHtmlStyle = R"css(
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .2em .6em; text-align: left; vertical-align: top; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.fail { color: #b00; font-weight: bold; } .pass { color: #070; font-weight: bold; }
.new, .grown { background: #fde8e8; } .shrunk, .gone { background: #e8f6e8; }
#flame { position: relative; border: 1px solid #ccc; overflow: hidden; }
#flame div { position: absolute; height: 19px; box-sizing: border-box; border: 1px solid #fff;
  font: 12px monospace; white-space: nowrap; overflow: hidden; cursor: pointer; padding: 0 3px; }
code { font-size: 90%; } .muted { color: #777; }
)css";

inline constexpr const char* kHtmlScript = R"js(
const report = JSON.parse(document.getElementById('report').textContent);
const $ = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  Object.assign(node, attrs);
  for (const child of children) node.append(child);
  return node;
};
const signed = n => (n > 0 ? '+' : '') + n;
const main = document.getElementById('main');
function table(headers, rows, rowClass) {
  const head = $('tr', {}, ...headers.map(h => $('th', {}, h)));
  const body = rows.map((cells, i) => $('tr', {className: rowClass ? rowClass(i) : ''},
    ...cells.map(c => typeof c === 'number' ? $('td', {className: 'number'}, String(c)) : $('td', {}, c))));
  return $('table', {}, head, ...body);
}
function siteCell(site) {
  const where = site.location ? ` ${site.location.file}:${site.location.line}` : '';
  return $('span', {}, $('code', {}, site.title), $('span', {className: 'muted'}, where));
}
function stackOf(site) {
  const labels = site.frames.map(f => f.function).reverse();
  return labels.length ? labels : [site.title];
}
function flame(entries, caption) {
  const root = {name: 'all', value: 0, children: new Map()};
  for (const [stack, value] of entries) {
    if (value <= 0) continue;
    root.value += value;
    let node = root;
    for (const name of stack) {
      if (!node.children.has(name)) node.children.set(name, {name, value: 0, children: new Map()});
      node = node.children.get(name);
      node.value += value;
    }
  }
  const box = $('div', {id: 'flame'});
  main.append($('h2', {}, caption), $('p', {className: 'muted'}, 'Width is bytes; click a frame to zoom, click the top bar to reset.'), box);
  if (root.value === 0) { box.append('nothing to draw'); box.style.height = '22px'; return; }
  const rowHeight = 20;
  function draw(focus) {
    box.replaceChildren();
    let depth = 0;
    function place(node, left, width, level) {
      depth = Math.max(depth, level);
      const bar = $('div', {textContent: node.name, title: `${node.name}\n${node.value} bytes`});
      const hue = 10 + (node.name.length * 37) % 40;
      Object.assign(bar.style, {left: left + '%', width: width + '%', top: level * rowHeight + 'px',
        background: `hsl(${hue}, 80%, ${level ? 65 : 80}%)`});
      bar.onclick = () => draw(level ? node : root);
      box.append(bar);
      let offset = left;
      for (const child of [...node.children.values()].sort((a, b) => a.name < b.name ? -1 : 1)) {
        const childWidth = width * child.value / node.value;
        place(child, offset, childWidth, level + 1);
        offset += childWidth;
      }
    }
    place(focus, 0, 100, 0);
    box.style.height = (depth + 1) * rowHeight + 'px';
  }
  draw(root);
}
function errors(list) {
  if (!list.length) return;
  main.append($('h2', {className: 'fail'}, `Errors (${list.length})`),
    table(['kind', 'address', 'size', 'thread', 'message'],
      list.map(e => [e.kind, e.address, e.size, e.thread, e.message])));
}
if (report.command === 'summary') {
  main.append($('h1', {}, 'osp leak summary: ' + report.snapshot));
  errors(report.errors);
  const kinds = Object.entries(report.totals.by_kind);
  main.append($('h2', {}, 'Totals'), table(['kind', 'blocks', 'bytes'],
    [...kinds.map(([k, c]) => [k, c.blocks, c.bytes]),
     ['suppressed', report.totals.suppressed.blocks, report.totals.suppressed.bytes]]));
  const listed = report.kinds.join(', ');
  flame(report.sites.map(s => [stackOf(s), s.bytes]), `Leaked bytes by allocation stack (${listed})`);
  main.append($('h2', {}, `Sites: ${listed} (${report.sites.length} of ${report.sites.length + report.hidden_sites})`),
    table(['bytes', 'blocks', 'kind', 'site', 'key'], report.sites.map(s => [s.bytes, s.blocks, s.kind, siteCell(s), s.key])));
  const unlisted = report.unlisted;
  if (unlisted.sites) main.append($('p', {}, `Not listed: ${unlisted.sites} sites of kinds ` +
    `${unlisted.kinds.join(', ')} (${unlisted.blocks} blocks, ${unlisted.bytes} bytes).`));
} else if (report.command === 'diff') {
  const t = report.totals;
  main.append($('h1', {}, `osp leak diff: ${report.before} \u2192 ${report.after}`),
    $('p', {}, `${t.before.bytes} \u2192 ${t.after.bytes} bytes (${signed(t.delta_bytes)}), ` +
      `${t.before.blocks} \u2192 ${t.after.blocks} blocks (${signed(t.delta_blocks)}), errors ${t.before_errors} \u2192 ${t.after_errors}`));
  const changed = report.sites.filter(s => s.change !== 'unchanged');
  flame(changed.map(s => [stackOf(s), s.delta_bytes]), 'Growth in leaked bytes (new and grown sites)');
  main.append($('h2', {}, 'Changed sites'), table(['change', '\u0394 bytes', '\u0394 blocks', 'kind', 'site'],
    changed.map(s => [s.change, signed(s.delta_bytes), signed(s.delta_blocks), s.kind, siteCell(s)]), i => changed[i].change));
} else if (report.command === 'gate') {
  main.append($('h1', {className: report.passed ? 'pass' : 'fail'}, `osp leak gate ${report.passed ? 'passed' : 'FAILED'}: ${report.snapshot}`));
  if (report.baseline) main.append($('p', {}, 'baseline: ' + report.baseline));
  main.append(table(['check', 'result', 'detail'], report.checks.map(c =>
    [c.name, $('span', {className: c.passed ? 'pass' : 'fail'}, c.passed ? 'pass' : 'FAIL'), c.description])));
  flame(report.sites.map(s => [stackOf(s), s.counted_bytes]), 'Counted bytes by allocation stack');
  main.append($('h2', {}, 'Counted sites'), table(['bytes', 'blocks', 'change', 'kind', 'site'],
    report.sites.map(s => [s.counted_bytes, s.counted_blocks, s.change, s.kind, siteCell(s)])));
  errors(report.errors);
}
)js";

}  // namespace leakview
