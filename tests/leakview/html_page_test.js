// Runs the script of each --format html golden page against a minimal DOM stand-in and
// checks that it draws: a heading, tables, and flame-graph bars for pages with leaks.
// usage: node html_page_test.js <tests/data/golden directory>
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

class Node {
  constructor(tag) { this.tag = tag; this.children = []; this.style = {}; this.textContent = ''; }
  append(...items) { for (const item of items) this.children.push(item); }
  replaceChildren(...items) { this.children = items; }
  all() { return [this, ...this.children.flatMap(c => (c instanceof Node ? c.all() : []))]; }
}

function runPage(file) {
  const html = fs.readFileSync(file, 'utf8');
  const data = html.match(/<script type="application\/json" id="report">([\s\S]*?)<\/script>/)[1];
  const script = html.match(/<script>([\s\S]*?)<\/script>/)[1];
  const main = new Node('div');
  const report = new Node('script');
  report.textContent = data;
  const document = {
    createElement: tag => new Node(tag),
    getElementById: id => (id === 'main' ? main : id === 'report' ? report : null),
  };
  vm.runInNewContext(script, {document, JSON, Object, Math, String, Map});
  const nodes = main.all();
  const bars = nodes.filter(n => n.tag === 'div' && n.style.width !== undefined && n.style.left !== undefined);
  for (const bar of bars) {
    const width = parseFloat(bar.style.width);
    if (!(width >= 0 && width <= 100.0001)) throw new Error(`${file}: bar width ${bar.style.width}`);
  }
  return {headings: nodes.filter(n => n.tag === 'h1').length, tables: nodes.filter(n => n.tag === 'table').length,
          bars: bars.length};
}

let failures = 0;
const directory = process.argv[2];
for (const name of fs.readdirSync(directory).filter(n => n.endsWith('.html')).sort()) {
  try {
    const result = runPage(path.join(directory, name));
    const wantsBars = !name.includes('clean');
    if (result.headings !== 1 || result.tables < 1 || (wantsBars && result.bars < 2))
      throw new Error(`drew ${JSON.stringify(result)}`);
    console.log(`ok ${name} ${JSON.stringify(result)}`);
  } catch (error) {
    failures++;
    console.log(`FAIL ${name}: ${error.message}`);
  }
}
process.exit(failures ? 1 : 0);
