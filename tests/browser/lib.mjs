// What the browser scenarios share: Debian's chromium, headless, driven by
// puppeteer-core; meetctl for the CLI side; TAP on stdout.  A scenario is
// run by a tests/regress/web-*.t after it started its node, with
//   MEET_WEB   the page's http://ADDR:PORT
//   MEET_SOCK  the node's control socket
//   MEETCTL    the meetctl to run
//   OUT        a folder for screenshots
//   MEET_LOGS  the nodes' logs, checked at the end for sanitizer reports
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync,
  writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import puppeteer from 'puppeteer-core';

export const WEB = process.env.MEET_WEB;
export const SOCK = process.env.MEET_SOCK;
export const MEETCTL = process.env.MEETCTL || 'meetctl';
export const OUT = process.env.OUT || tmpdir();

let n = 0;
let failed = 0;

export function ok(cond, desc) {
  n++;
  if (cond)
    console.log(`ok ${n} - ${desc}`);
  else {
    failed++;
    console.log(`not ok ${n} - ${desc}`);
  }
  return cond;
}

export function diag(text) {
  for (const l of String(text).split('\n'))
    console.log('# ' + l);
}

// At the end: each node still answers, and no sanitizer spoke in its log
// (a use after free of a late callback shows only there).
export async function healthy(socks) {
  await new Promise((r) => setTimeout(r, 500));
  for (const sock of socks)
    ok((await ctlAt(sock, 'status')).code === 0,
      `the node of ${sock.replace(/.*\//, '')} still answers`);
  for (const log of (process.env.MEET_LOGS || '').split(' ')) {
    if (!log || !existsSync(log))
      continue;
    const text = readFileSync(log, 'utf8');
    const bad = text.split('\n').filter((l) =>
      /Sanitizer|runtime error:/.test(l));
    ok(bad.length === 0, `no sanitizer report in ${log.replace(/.*\//, '')}` +
      (bad.length ? ': ' + bad[0] : ''));
  }
}

export function done() {
  console.log(`1..${n}`);
  return failed;
}

// meetctl ARGS against the node: {code, out, err}, bounded.
export function ctl(...args) {
  return ctlAt(SOCK, ...args);
}

// The same against the node of another socket.
export function ctlAt(sock, ...args) {
  return new Promise((resolve) => {
    execFile(MEETCTL, ['-S', sock, ...args], { timeout: 30000 },
      (err, out, errout) => {
        resolve({ code: err ? (err.code ?? 1) : 0, out, err: errout });
      });
  });
}

// The JSON lines of meetctl -j output.
export function jsonLines(out) {
  return out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

const profiles = [];

// Chromium as the issue asks: headless, no sandbox, fake devices, a
// profile of its own that is removed at the end.
export async function launch() {
  const dir = mkdtempSync(join(tmpdir(), 'meet-chromium-'));
  profiles.push(dir);
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    userDataDir: dir,
    protocolTimeout: 60000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      '--window-size=1280,800'],
  });
}

export function cleanup() {
  for (const d of profiles)
    rmSync(d, { recursive: true, force: true });
}

// A page in a context of its own: its own WebSocket, nothing shared.
export async function open(browser, query) {
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  page.on('pageerror', (e) => diag('page error: ' + e.message));
  await page.goto(WEB + '/' + query, { waitUntil: 'load' });
  return page;
}

// Wait until fn(arg) is true in the page: true, or false after timeout.
export async function until(page, fn, arg, timeout = 10000) {
  try {
    await page.waitForFunction(fn, { timeout, polling: 100 }, arg);
    return true;
  } catch (e) {
    return false;
  }
}

// Poll an async condition here: true, or false after timeout.
export async function eventually(fn, timeout = 10000) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await fn())
      return true;
    if (Date.now() > end)
      return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Which view the page shows: join-view, lobby-view or room-view.
export async function view(page) {
  return page.evaluate(() => document.body.dataset.view);
}

// Chat lines the page shows: [{from, text}].
export async function chatLines(page) {
  return page.evaluate(() => [...document.querySelectorAll('#chat-log .msg')]
    .filter((m) => !m.classList.contains('system'))
    .map((m) => ({ from: m.dataset.from, to: m.dataset.to || null,
      text: m.querySelector('.text').textContent })));
}

// Take a screenshot to path, and count the colours in it (read back in
// the page, from the PNG itself): a blank page has one or two.  With the
// size of the file as written.
export async function screenshot(page, path) {
  const b64 = await page.screenshot({ encoding: 'base64' });
  writeFileSync(path, Buffer.from(b64, 'base64'));
  const colours = await page.evaluate(async (data) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + data;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < px.length; i += 4 * 7)
      seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
    return { colours: seen.size, width: img.width, height: img.height };
  }, b64);
  colours.bytes = statSync(path).size;
  return colours;
}
