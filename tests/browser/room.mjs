// Two browsers and a CLI session in one room (tests/regress/web-room.t):
// the lobby, who, chat both ways, private chat, reactions, a shared file
// downloaded from the page, the roster, the speaker view and pinning, a
// screenshot, and a page that closes.  The CLI host alice created
// "standup" with a lobby before this runs.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

import * as t from './lib.mjs';

const roomUrl = (name) => `?room=standup&name=${name}&join=1`;

async function whoNames() {
  const r = await t.ctl('-s', 'alice', '-j', 'who');
  if (r.code !== 0)
    return [];
  return t.jsonLines(r.out)[0].participants.map((p) => p.name + ':' +
    p.role);
}

async function events() {
  const r = await t.ctl('-s', 'alice', '-j', 'events');
  return r.code === 0 ? t.jsonLines(r.out) : [];
}

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
  await t.healthy([t.SOCK]);
  return t.done();
}

async function scenario(browser) {
  // The lobby: bob waits, and his page says so, until alice admits him.
  const bob = await t.open(browser, roomUrl('bob'));
  t.ok(await t.until(bob, () => document.body.dataset.view === 'lobby-view'),
    'bob\'s page waits in the lobby');
  t.ok(await t.until(bob, () => document.getElementById('lobby-text')
    .textContent.includes('standup')), 'the lobby page names the room');
  t.ok(await t.eventually(async () =>
    (await whoNames()).includes('bob:waiting')),
    'alice\'s who shows bob waiting');
  t.ok(await t.eventually(async () => (await events()).some((e) =>
    e.event === 'knock' && e.name === 'bob')), 'alice got bob\'s knock');
  await new Promise((r) => setTimeout(r, 500));
  t.ok(await t.view(bob) === 'lobby-view', 'bob still waits before admit');
  const adm = await t.ctl('-s', 'alice', 'admit', 'bob');
  t.ok(adm.code === 0, 'alice admits bob');
  t.ok(await t.until(bob, () => document.body.dataset.view === 'room-view'),
    'bob\'s page enters the room once admitted');

  const carol = await t.open(browser, roomUrl('carol'));
  await t.until(carol, () => document.body.dataset.view === 'lobby-view');
  await t.ctl('-s', 'alice', 'admit', 'carol');
  t.ok(await t.until(carol, () =>
    document.body.dataset.view === 'room-view'), 'carol is admitted too');

  // who: the browsers are members like any other.
  const names = await whoNames();
  t.ok(names.includes('bob:participant') && names.includes('carol:participant')
    && names.includes('alice:host'), 'who lists both browsers: ' +
    names.join(' '));
  // A browser's session belongs to no Unix user: root sees it, and the
  // user who runs the node (alice's) does not.
  const sessions = await t.ctl('-j', 'sessions');
  const listed = sessions.code === 0 && sessions.out.includes('"bob"');
  if (process.getuid() === 0)
    t.ok(listed, 'bob\'s session is a local session of the node (root ' +
      'sees every one)');
  else
    t.ok(sessions.code === 0 && !listed,
      'bob\'s session is no Unix user\'s: not in alice\'s sessions');

  // The roster in the page: alice is the host, everyone is listed.
  t.ok(await t.until(bob, () => {
    const r = document.querySelectorAll('#roster .person');
    const host = document.querySelector(
      '#roster .person[data-name="alice"][data-role="host"]');
    return r.length === 3 && host !== null;
  }), 'bob\'s roster shows alice as host, and three people');

  // Chat typed in a page arrives in events; say arrives in the pages.
  await bob.type('#chat-text', 'hello from bob');
  await bob.click('#chat-form button[type=submit]');
  t.ok(await t.eventually(async () => (await events()).some((e) =>
    e.event === 'chat' && e.from === 'bob' && e.text === 'hello from bob')),
    'chat typed in bob\'s page is in alice\'s events');
  t.ok(await t.until(carol, () => [...document.querySelectorAll(
    '#chat-log .msg[data-from="bob"] .text')].some((e) =>
    e.textContent === 'hello from bob')), 'and in carol\'s page');
  t.ok(await t.until(bob, () => document.getElementById('chat-text')
    .value === ''), 'bob\'s input is cleared once sent');

  const say = await t.ctl('-s', 'alice', 'say', 'welcome', '<b>both</b>');
  t.ok(say.code === 0, 'alice says something');
  for (const [who, page] of [['bob', bob], ['carol', carol]])
    t.ok(await t.until(page, () => [...document.querySelectorAll(
      '#chat-log .msg[data-from="alice"] .text')].some((e) =>
      e.textContent === 'welcome <b>both</b>' && e.children.length === 0)),
    `alice's say is in ${who}'s page, as text, not markup`);

  // Private: only the one it is for sees it.
  await t.ctl('-s', 'alice', 'say', '-t', 'carol', 'just for carol');
  t.ok(await t.until(carol, () => [...document.querySelectorAll(
    '#chat-log .msg.private .text')].some((e) =>
    e.textContent === 'just for carol')), 'carol sees alice\'s private line');
  await new Promise((r) => setTimeout(r, 300));
  t.ok(!(await t.chatLines(bob)).some((l) => l.text === 'just for carol'),
    'bob does not');
  await carol.select('#chat-to', 'bob');
  await carol.type('#chat-text', 'psst bob');
  await carol.click('#chat-form button[type=submit]');
  t.ok(await t.until(bob, () => [...document.querySelectorAll(
    '#chat-log .msg.private[data-from="carol"] .text')].some((e) =>
    e.textContent === 'psst bob')), 'carol chats privately to bob');
  await new Promise((r) => setTimeout(r, 300));
  t.ok(!(await events()).some((e) => e.text === 'psst bob'),
    'and alice does not see it');

  // Reactions.
  await bob.click('.react[data-emoji="🎉"]');
  t.ok(await t.eventually(async () => (await events()).some((e) =>
    e.event === 'reaction' && e.from === 'bob' && e.emoji === '🎉')),
    'a reaction from bob\'s page is in events');
  t.ok(await t.until(carol, () => [...document.querySelectorAll(
    '#reactions .reaction')].some((e) => e.textContent.includes('🎉'))),
    'carol\'s page shows it');

  // A shared file: listed in the page, downloaded from it.
  const file = `${t.OUT}/notes.txt`;
  const sent = await t.ctl('-s', 'alice', 'file', 'send', file);
  t.ok(sent.code === 0, 'alice shares a file');
  t.ok(await t.until(bob, () => [...document.querySelectorAll(
    '#file-list a')].some((a) => a.textContent === 'notes.txt')),
    'bob\'s page lists it');
  const got = await bob.evaluate(async () => {
    const a = [...document.querySelectorAll('#file-list a')][0];
    const r = await fetch(a.href);
    return { status: r.status, text: await r.text(),
      disposition: r.headers.get('Content-Disposition') };
  });
  t.ok(got.status === 200 && got.text === readFileSync(file, 'utf8'),
    'bob downloads it, byte for byte');
  t.ok(/attachment; filename="notes.txt"/.test(got.disposition || ''),
    'as an attachment with its name');
  const stranger = await fetch(`${t.WEB}/files/${'0'.repeat(32)}/x`);
  t.ok(stranger.status === 404, 'a wrong secret gets nothing');

  // Host controls are not offered to a participant.
  t.ok(await bob.evaluate(() =>
    document.querySelectorAll('#roster button.kick').length === 0 &&
    document.getElementById('c-end').hidden),
  'bob, a participant, has no host buttons');

  // Talking: alice's voice (a tone) lights her up in the pages.
  const tone = spawn('sh', ['-c', 'meet-cap -a sine:440 -t 4 | ' +
    `"${t.MEETCTL}" -S "${t.SOCK}" -s alice send -a`], { stdio: 'ignore' });
  const toneDone = new Promise((r) => tone.on('exit', r));
  t.ok(await t.until(bob, () => document.querySelector(
    '#tiles .tile.talking[data-name="alice"]') !== null, undefined, 8000),
  'alice talks (a tone): her tile lights up in bob\'s page');
  t.ok(await t.until(bob, () => document.querySelector(
    '#roster .person.talking[data-name="alice"]') !== null),
  'and bob\'s roster shows her talking');
  await toneDone;
  t.ok(await t.until(bob, () => document.querySelector(
    '#tiles .tile.talking') === null, undefined, 8000),
  'and stops showing it when the tone ends');

  // The speaker view and pinning.
  await bob.click('#v-speaker');
  t.ok(await t.until(bob, () => {
    const m = document.querySelector('#tiles.speaker .tile.main');
    return m !== null && m.dataset.name !== 'bob';
  }), 'the speaker view puts someone else big');
  await bob.evaluate(() => {
    const tile = document.querySelector('#tiles .tile[data-name="carol"]');
    tile.querySelector('.pin').click();
  });
  t.ok(await t.until(bob, () => document.querySelector(
    '#tiles .tile.main') !== null && document.querySelector(
    '#tiles .tile.main').dataset.name === 'carol'), 'pinning carol puts her big');
  await bob.click('#v-grid');
  t.ok(await t.until(bob, () => document.querySelectorAll(
    '#tiles.grid .tile').length === 3), 'the grid has a tile for each of three');

  // A screenshot of the page: there, and not blank.
  const shot = await t.screenshot(bob, `${t.OUT}/bob.png`);
  t.diag(`screenshot ${shot.width}x${shot.height}, ${shot.colours} colours, ` +
    `${shot.bytes} bytes`);
  t.ok(shot.width === 1280 && shot.colours > 50 && shot.bytes > 10000,
    'bob\'s screenshot is a page with something on it');

  // Leaving from the page, and closing one.
  await bob.click('#c-leave');
  t.ok(await t.until(bob, () => document.body.dataset.view === 'join-view'),
    'bob leaves from his page and is back at the form');
  t.ok(await t.eventually(async () => (await events()).some((e) =>
    e.event === 'left' && e.name === 'bob')), 'alice sees bob leave');
  await carol.close();
  t.ok(await t.eventually(async () =>
    !(await whoNames()).some((n) => n.startsWith('carol:'))),
  'closing carol\'s page takes her out of the room');
}

main().then((failed) => process.exit(failed ? 1 : 0), (e) => {
  t.ok(false, 'the scenario ran to its end');
  t.diag(e.stack || String(e));
  t.done();
  t.cleanup();
  process.exit(1);
});
