// A browser on one node in a room on another (tests/regress/web-remote.t):
// the page's session joins hub@HOST:PORT through its node's link like any
// local session.  alice, on the hub's CLI, created "hub" with a lobby.
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

  // A file shared in the hub's room: listed across the link, fetched with
  // meetctl there (the page downloads its own node's files only).
  const sent = await hub('file', 'send', `${t.OUT}/agenda.txt`);
  t.ok(sent.code === 0, 'alice shares a file on the hub');
  t.ok(await t.until(kim, () => [...document.querySelectorAll(
    '#file-list .file')].some((f) => f.textContent.includes('agenda.txt') &&
    f.textContent.includes('meetctl file get'))),
  'kim\'s page lists it, with how to fetch it');
  const got = await kim.evaluate(async () => {
    const f = document.querySelector('#file-list .file');
    const r = await fetch('/files/' + S.hello.secret + '/' + f.dataset.id);
    return { status: r.status, text: await r.text() };
  });
  t.ok(got.status === 404 && /on the node of hub@/.test(got.text),
    'a download from the page says where the file is: ' + got.text.trim());

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
