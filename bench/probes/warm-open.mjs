// A probe, not a scenario: how much of a warm start's growth with N is IndexedDB's own.
// In Debian's Chromium, after a page reload: open a database, read the first 20 rows of an
// index and one more record (what `watchPage` reads on a warm start), for 1,000 and
// 100,000 rows of ~0.5 KB written straight into IndexedDB; 9 runs each, interleaved.
//   node bench/probes/warm-open.mjs
// Prints both medians and their ratio. docs/performance.md ("Warm start") quotes it.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SIZES = [['small', 1000], ['large', 100_000]];
const RUNS = 9;

// IndexedDB needs a real origin: an empty page on loopback
const server = createServer((_, res) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('<html><body></body></html>');
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const dir = mkdtempSync(join(tmpdir(), 'warm-open-'));
const context = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const page = context.pages()[0] ?? (await context.newPage());
await page.goto(`http://127.0.0.1:${server.address().port}/`);

for (const [name, n] of SIZES) {
  await page.evaluate(async ([name, n]) => {
    const db = await new Promise((ok, ko) => {
      const r = indexedDB.open(name, 1);
      r.onupgradeneeded = () => {
        r.result.createObjectStore('rows', { keyPath: 'id' }).createIndex('sort', 'sortKey');
        r.result.createObjectStore('state');
      };
      r.onsuccess = () => ok(r.result);
      r.onerror = () => ko(r.error);
    });
    const pad = 'x'.repeat(500);
    for (let i = 0; i < n; i += 5000) {
      await new Promise((ok) => {
        const tx = db.transaction(['rows', 'state'], 'readwrite');
        const rows = tx.objectStore('rows');
        for (let j = i; j < Math.min(n, i + 5000); j++) rows.put({ id: `si_${j}`, sortKey: String(1e12 + ((j * 7919) % n)), pad });
        tx.objectStore('state').put({ total: n }, 'totals');
        tx.oncomplete = ok;
      });
    }
    db.close();
  }, [name, n]);
}

/** After a reload: open, the first 20 rows of the index (highest first), one record. */
const warmRead = (name) =>
  page.evaluate(async (name) => {
    const t0 = performance.now();
    const db = await new Promise((ok, ko) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => ok(r.result);
      r.onerror = () => ko(r.error);
    });
    const tx = db.transaction(['rows', 'state']);
    const rows = [];
    await new Promise((ok) => {
      const c = tx.objectStore('rows').index('sort').openCursor(null, 'prev');
      c.onsuccess = () => {
        if (c.result && rows.length < 20) {
          rows.push(c.result.value);
          c.result.continue();
        } else ok();
      };
    });
    await new Promise((ok) => (tx.objectStore('state').get('totals').onsuccess = ok));
    const ms = performance.now() - t0;
    db.close();
    return ms;
  }, name);

const times = { small: [], large: [] };
for (let r = 0; r < RUNS; r++) {
  for (const [name] of r % 2 ? SIZES : [...SIZES].reverse()) {
    await page.reload();
    times[name].push(await warmRead(name));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [name, n] of SIZES) console.log(`${n} rows: ${times[name].map((x) => x.toFixed(1)).join(' ')} ms, median ${median(times[name]).toFixed(1)}`);
console.log(`ratio of medians: ${(median(times.large) / median(times.small)).toFixed(2)}`);
await context.close();
server.close();
rmSync(dir, { recursive: true, force: true });
