// extract.mjs rebuilds the name lists in this folder and the generator data
// in ../synth/data from the MIT-licensed @faker-js/faker npm package (Latin
// script locales only) and the SCOWL word list (Debian package wamerican).
// It is a one-off developer step; nothing is fetched at run time.
//
//   npm install --prefix /tmp/fk @faker-js/faker@10.6.0
//   apt-get install wamerican
//   NODE_PATH=/tmp/fk/node_modules node extract.mjs
//
// One name in eight (by a fixed hash) is held out of the shipped lists and
// written to ../synth/data/heldout_*.txt: the development corpus draws them as
// out-of-list names the model has never seen.
import { createRequire } from 'module';
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';
const require = createRequire(import.meta.url);
const F = require('@faker-js/faker');
const here = path.dirname(fileURLToPath(import.meta.url));
const latin = /^[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ'’-]+$/u;
const titled = /^\p{Lu}/u;
const flat = x => !x ? [] : Array.isArray(x) ? x.flat(Infinity) : Object.values(x).flat(Infinity);
function fnv(s) { let h = 0x811c9dc5; for (const b of Buffer.from(s)) { h ^= b; h = Math.imul(h, 0x01000193) >>> 0; } return h; }
const given = new Map(), surname = new Map(), cities = new Set(), streets = new Set(), products = new Set(), jobs = new Set();
function addTok(m, s, loc) {
  for (const t of String(s).split(/\s+/)) {
    if (t.length < 2 || !latin.test(t) || !titled.test(t)) continue;
    if (!m.has(t)) m.set(t, new Set());
    m.get(t).add(loc.split('_')[0]);
  }
}
for (const [loc, def] of Object.entries(F.allLocales)) {
  const p = def.person;
  if (p) {
    for (const s of flat(p.first_name)) addTok(given, s, loc);
    for (const s of flat(p.last_name)) addTok(surname, s, loc);
  }
  const l = def.location || {};
  for (const s of flat(l.city_name)) if (latin.test(String(s).replace(/[ .]/g, ''))) cities.add(s);
  for (const s of flat(l.street_name)) if (latin.test(String(s).replace(/[ .]/g, ''))) streets.add(s);
  const c = def.commerce?.product_name;
  if (c && loc === 'en') for (const a of flat(c.adjective)) for (const m of flat(c.material)) for (const pr of flat(c.product)) products.add(`${a} ${m} ${pr}`);
  const j = def.person?.job_title;
  if (loc === 'en' && def.person) for (const a of flat(def.person.job_descriptor)) for (const b of flat(def.person.job_area)) for (const t of flat(def.person.job_type)) jobs.add(`${a} ${b} ${t}`);
}
function write(file, lines) { fs.writeFileSync(path.join(here, file), lines.join('\n') + '\n'); }
function split(m, shipped, dev) {
  const keep = [], hold = [];
  for (const [n, locs] of [...m.entries()].sort((a, b) => a[0] < b[0] ? -1 : 1)) {
    const line = `${n}\t${[...locs].sort().join(',')}`;
    (fnv(n.toLowerCase()) % 8 === 0 ? hold : keep).push(line);
  }
  write(shipped, keep); write(dev, hold);
}
split(given, 'given.txt', '../synth/data/heldout_given.txt');
split(surname, 'surname.txt', '../synth/data/heldout_surname.txt');
const sample = (set, n) => [...set].sort().filter((_, i) => i % Math.max(1, Math.floor(set.size / n)) === 0);
write('../synth/data/cities.txt', sample(cities, 3000));
write('../synth/data/streets.txt', sample(streets, 3000));
write('../synth/data/products.txt', sample(products, 1500));
write('../synth/data/jobs.txt', sample(jobs, 800));
const words = fs.readFileSync('/usr/share/dict/american-english', 'utf8').split('\n').filter(w => /^[a-z]{2,}$/.test(w));
write('words.txt', words);
