// A browser on one node in a room on another (tests/regress/web-remote.t):
// the page's session joins hub@HOST:PORT through its node's link like any
// local session.  alice, on the hub's CLI, created "hub" with a lobby.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import * as t from './lib.mjs';

const HUB_SOCK = process.env.MEET_HUB_SOCK;
const HUB = process.env.MEET_HUB;

const hub = (...a) => t.ctlAt(HUB_SOCK, '-s', 'alice', ...a);

async function main() {
  let browser;
  try {
    browser = await t.launch();
  } catch (e) {
    console.log('1..0 # SKIP chromium cannot start: ' + e.message);
    return 0;
  }
  try {
    await scenario(browser);
  } finally {
    await browser.close();
    t.cleanup();
  }
  await t.healthy([t.SOCK, HUB_SOCK]);
  return t.done();
}

async function scenario(browser) {
  const kim = await t.open(browser, `?room=hub@${HUB}&name=kim&join=1`);
  t.ok(await t.until(kim, () => document.body.dataset.view === 'lobby-view'),
    'kim\'s page, on another node, waits in the hub\'s lobby');
  t.ok((await hub('admit', 'kim')).code === 0, 'alice admits kim');
  t.ok(await t.until(kim, () => document.body.dataset.view === 'room-view'),
    'kim\'s page enters the room');
  const who = await hub('-j', 'who');
  const kimThere = t.jsonLines(who.out)[0].participants.find((p) =>
    p.name === 'kim');
  t.ok(kimThere && kimThere.node === process.env.MEET_NODE_NAME,
    'the hub\'s who lists kim, on the browser\'s node: ' +
    JSON.stringify(kimThere));
  t.ok(await t.until(kim, () => document.querySelector(
    '#roster .person[data-name="alice"][data-role="host"]') !== null),
  'kim\'s roster, fetched across the link, shows alice as host');

  await kim.type('#chat-text', 'hello across the link');
  await kim.click('#chat-form button[type=submit]');
  t.ok(await t.eventually(async () => {
    const r = await hub('-j', 'events');
    return t.jsonLines(r.out).some((e) => e.event === 'chat' &&
      e.from === 'kim' && e.text === 'hello across the link');
  }), 'kim\'s chat is in alice\'s events on the hub');
  await hub('say', 'hello kim');
  t.ok(await t.until(kim, () => [...document.querySelectorAll(
    '#chat-log .msg[data-from="alice"] .text')].some((e) =>
    e.textContent === 'hello kim')), 'alice\'s say reaches kim\'s page');

  // A file shared in the hub's room: listed across the link, and fetched
  // from the hub by kim's node when her page downloads it.
  const sent = await hub('file', 'send', `${t.OUT}/agenda.bin`);
  t.ok(sent.code === 0, 'alice shares a 3 MB file on the hub');
  t.ok(await t.until(kim, () => [...document.querySelectorAll(
    '#file-list a')].some((a) => a.textContent === 'agenda.bin')),
  'kim\'s page lists it');
  const got = await kim.evaluate(async () => {
    const a = [...document.querySelectorAll('#file-list a')][0];
    const r = await fetch(a.href);
    const b = new Uint8Array(await r.arrayBuffer());
    const d = await crypto.subtle.digest('SHA-256', b);
    return { status: r.status, size: b.length, sha: [...new Uint8Array(d)]
      .map((x) => x.toString(16).padStart(2, '0')).join('') };
  });
  const want = createHash('sha256').update(
    readFileSync(`${t.OUT}/agenda.bin`)).digest('hex');
  t.ok(got.status === 200 && got.sha === want,
    `kim downloads it from her page, byte for byte (${got.size} bytes)`);
  const list = await hub('-j', 'file', 'list');
  const fid = t.jsonLines(list.out)[0].files[0].id;
  const none = await kim.evaluate(async (id) => {
    const r = await fetch('/files/' + S.hello.secret + '/' +
      (id.slice(0, 15) + (id[15] === '0' ? '1' : '0')));
    return { status: r.status, text: await r.text() };
  }, fid);
  t.ok(none.status === 404 && /no file/.test(none.text),
    'a file the hub does not have: 404, as the hub said: ' +
    none.text.trim());

  // A download the browser gives up on leaves no transfer running.
  await hub('file', 'send', `${t.OUT}/big.bin`);
  t.ok(await t.until(kim, () => [...document.querySelectorAll(
    '#file-list a')].some((a) => a.textContent === 'big.bin')),
  'kim\'s page lists a 40 MB file');
  const aborted = await kim.evaluate(async () => {
    const a = [...document.querySelectorAll('#file-list a')].find((x) =>
      x.textContent === 'big.bin');
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 30);
    try {
      await fetch(a.href, { signal: ctl.signal });
      return 'finished';
    } catch (e) {
      return e.name;
    }
  });
  t.diag('the download: ' + aborted);
  const idle = async (ctl) => {
    const r = await ctl('-j', 'stats');
    return r.code === 0 && t.jsonLines(r.out)[0].transfers.length === 0;
  };
  t.ok(await t.eventually(() => idle(t.ctl), 15000),
    'no transfer is left on kim\'s node once she gave up');
  t.ok(await t.eventually(() => idle(hub), 15000),
    'nor on the hub');

  t.ok((await hub('kick', 'kim')).code === 0, 'alice kicks kim');
  t.ok(await t.until(kim, () => document.body.dataset.view === 'join-view'),
    'kim\'s page is back at the form');
  t.ok(await kim.evaluate(() => /removed from hub@.* by alice/.test(
    document.getElementById('notice').textContent)),
  'and says alice removed her');
  const sessions = await t.ctl('-j', 'sessions');
  t.ok(sessions.code === 0 && !sessions.out.includes('"kim"'),
    'kim\'s session on the browser\'s node is gone');

  // A page that closes leaves the remote room too, through the link.
  const lee = await t.open(browser, `?room=hub@${HUB}&name=lee&join=1`);
  await t.until(lee, () => document.body.dataset.view === 'lobby-view');
  await hub('admit', 'lee');
  t.ok(await t.until(lee, () => document.body.dataset.view === 'room-view'),
    'lee is in the hub\'s room from node b');
  await lee.close();
  t.ok(await t.eventually(async () => {
    const r = await hub('-j', 'who');
    return r.code === 0 && !t.jsonLines(r.out)[0].participants.some((p) =>
      p.name === 'lee');
  }), 'closing lee\'s page takes her out of the hub\'s room');
}

main().then((failed) => process.exit(failed ? 1 : 0), (e) => {
  t.ok(false, 'the scenario ran to its end');
  t.diag(e.stack || String(e));
  t.done();
  t.cleanup();
  process.exit(1);
});
