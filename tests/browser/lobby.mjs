// The lobby and the host's powers, both ways (tests/regress/web-lobby.t):
// browsers that the CLI host alice turns away, removes, or lets in with a
// token, and a meeting she ends; then a browser that is the host, and the
// CLI participant it admits, mutes and removes.  alice created "standup"
// with a lobby and the password "sesame" before this runs.
import { spawn } from 'node:child_process';

import * as t from './lib.mjs';

// The room has a password: these pages are filled in, not joined at once.
const url = (name, extra = '') => `?room=standup&name=${name}${extra}`;

async function whoNames(session) {
  const r = await t.ctl('-s', session, '-j', 'who');
  if (r.code !== 0)
    return [];
  return t.jsonLines(r.out)[0].participants.map((p) => p.name + ':' +
    p.role + ':' + p.audio);
}

async function notice(page) {
  return page.evaluate(() => {
    const n = document.getElementById('notice');
    return n.hidden ? '' : n.textContent;
  });
}

async function joinError(page) {
  return page.evaluate(() =>
    document.getElementById('join-error').textContent);
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
    await cliHost(browser);
    await pageHost(browser);
  } finally {
    await browser.close();
    t.cleanup();
  }
  await t.healthy([t.SOCK]);
  return t.done();
}

async function cliHost(browser) {
  // Refused at the door: a wrong password, a room that is not there.
  const wrong = await t.open(browser, url('mallory'));
  await wrong.type('#f-password', 'nope');
  await wrong.click('#f-join');
  t.ok(await t.until(wrong, () => document.getElementById('join-error')
    .textContent !== ''), 'a wrong password is refused in the page');
  t.diag('said: ' + await joinError(wrong));
  t.ok(/password/i.test(await joinError(wrong)), 'and the page says why');
  const nowhere = await t.open(browser, '?room=nowhere&name=nemo&join=1');
  t.ok(await t.until(nowhere, () => document.getElementById('join-error')
    .textContent !== ''), 'a room that is not there: the page says so');
  t.diag('said: ' + await joinError(nowhere));
  await wrong.close();
  await nowhere.close();

  // Denied: dave waits, alice turns him away, his page tells him.
  const dave = await t.open(browser, url('dave'));
  await dave.type('#f-password', 'sesame');
  await dave.click('#f-join');
  t.ok(await t.until(dave, () => document.body.dataset.view ===
    'lobby-view'), 'dave waits in the lobby');
  t.ok((await t.ctl('-s', 'alice', 'deny', 'dave')).code === 0,
    'alice denies dave');
  t.ok(await t.until(dave, () => document.body.dataset.view === 'join-view'),
    'dave\'s page is back at the form');
  t.ok(/turned you away/.test(await notice(dave)), 'and tells him he was ' +
    'turned away: ' + await notice(dave));

  // Giving up: hal waits, then stops waiting from his page.
  const hal = await t.open(browser, url('hal'));
  await hal.type('#f-password', 'sesame');
  await hal.click('#f-join');
  await t.until(hal, () => document.body.dataset.view === 'lobby-view');
  t.ok(await t.eventually(async () =>
    (await whoNames('alice')).some((n) => n.startsWith('hal:waiting'))),
  'hal waits in the lobby');
  await hal.click('#lobby-leave');
  t.ok(await t.until(hal, () => document.body.dataset.view === 'join-view'),
    'hal stops waiting from his page');
  t.ok(await t.eventually(async () => {
    const r = await t.ctl('-s', 'alice', '-j', 'events');
    return t.jsonLines(r.out).some((e) => e.event === 'gave-up' &&
      e.name === 'hal');
  }), 'alice is told hal gave up');
  await hal.close();

  // Kicked: gina is in, alice removes her, her page tells her who did.
  const gina = await t.open(browser, url('gina'));
  await gina.type('#f-password', 'sesame');
  await gina.click('#f-join');
  await t.until(gina, () => document.body.dataset.view === 'lobby-view');
  await t.ctl('-s', 'alice', 'admit', 'gina');
  t.ok(await t.until(gina, () => document.body.dataset.view === 'room-view'),
    'gina is admitted');
  t.ok((await t.ctl('-s', 'alice', 'kick', 'gina')).code === 0,
    'alice kicks gina');
  t.ok(await t.until(gina, () => document.body.dataset.view === 'join-view'),
    'gina\'s page is back at the form');
  t.ok(/removed from standup by alice/.test(await notice(gina)),
    'and tells her alice removed her: ' + await notice(gina));
  t.ok(!(await whoNames('alice')).some((n) => n.startsWith('gina:')),
    'who no longer lists gina');

  // A token lets ivy past the lobby and the password.
  const tok = await t.ctl('-s', 'alice', 'token', 'standup', '--as', 'ivy');
  const token = tok.out.trim();
  t.ok(tok.code === 0 && token.length > 20, 'alice mints a token for ivy');
  const ivy = await t.open(browser, url('ivy', '&join=1&cam=1&mic=1&token=' +
    encodeURIComponent(token)));
  t.ok(await t.until(ivy, () => document.body.dataset.view === 'room-view'),
    'ivy\'s page goes straight into the room with her token');

  // cam=1&mic=1: her own tile shows her (fake) camera; the mic button
  // mutes and unmutes her in the room.
  t.ok(await t.until(ivy, () => {
    const v = document.querySelector('#tiles .tile[data-name="ivy"] video');
    return v !== null && !v.hidden && v.videoWidth > 0;
  }), 'ivy\'s tile plays her camera');
  t.ok(await ivy.evaluate(() =>
    document.getElementById('c-mic').classList.contains('on') &&
    document.getElementById('c-cam').classList.contains('on')),
  'her camera and microphone buttons are on');
  await ivy.click('#c-mic');
  t.ok(await t.eventually(async () =>
    (await whoNames('alice')).includes('ivy:participant:muted')),
  'turning her microphone off mutes her: alice\'s who says so');
  await ivy.click('#c-mic');
  t.ok(await t.eventually(async () =>
    (await whoNames('alice')).some((n) => n.startsWith('ivy:') &&
    !n.endsWith(':muted'))), 'and on again unmutes her');

  // The meeting ends: ivy's page says so.
  t.ok((await t.ctl('-s', 'alice', 'end')).code === 0, 'alice ends it');
  t.ok(await t.until(ivy, () => document.body.dataset.view === 'join-view'),
    'ivy\'s page is back at the form');
  t.ok(/ended by alice/.test(await notice(ivy)), 'and says the meeting ' +
    'was ended by alice: ' + await notice(ivy));
  await dave.close();
  await gina.close();
  await ivy.close();
}

// A page that creates a room with a lobby is its host.
async function pageHost(browser) {
  const erin = await t.open(browser, '?room=webroom&name=erin');
  await erin.click('#f-create');
  await erin.click('#f-lobby');
  await erin.click('#f-join');
  t.ok(await t.until(erin, () => document.body.dataset.view === 'room-view'),
    'erin creates webroom from her page');
  t.ok(await t.until(erin, () => document.querySelector(
    '#roster .person[data-name="erin"][data-role="host"]') !== null),
  'erin is its host');

  // frank, on the CLI, knocks and waits for erin.
  const frank = spawn(t.MEETCTL, ['-S', t.SOCK, 'join', 'webroom', '--as',
    'frank'], { stdio: 'ignore' });
  const frankDone = new Promise((r) => frank.on('exit', (c) => r(c)));
  t.ok(await t.until(erin, () => document.querySelector(
    '#lobby-list .person[data-name="frank"] button.admit') !== null),
  'erin\'s page shows frank in the lobby, with Admit');
  await erin.click('#lobby-list .person[data-name="frank"] button.admit');
  t.ok(await frankDone === 0, 'erin admits frank from her page: his join ' +
    'returns 0');

  // She mutes him, then removes him.
  t.ok(await t.until(erin, () => document.querySelector(
    '#roster .person[data-name="frank"] button.mute') !== null),
  'erin\'s roster offers to mute frank');
  await erin.click('#roster .person[data-name="frank"] button.mute');
  t.ok(await t.eventually(async () =>
    (await whoNames('frank')).includes('frank:participant:muted')),
  'erin mutes frank: his who says so');
  const ev = await t.ctl('-s', 'frank', '-j', 'events');
  t.ok(t.jsonLines(ev.out).some((e) => e.event === 'muted' &&
    e.name === 'frank' && e.by === 'erin'), 'frank\'s events say erin did');
  await t.ctl('-s', 'frank', 'say', 'bye erin');
  t.ok(await t.until(erin, () => [...document.querySelectorAll(
    '#chat-log .msg[data-from="frank"] .text')].some((e) =>
    e.textContent === 'bye erin')), 'frank\'s say reaches erin\'s page');
  await erin.click('#roster .person[data-name="frank"] button.kick');
  t.ok(await t.eventually(async () => {
    const r = await t.ctl('-j', 'sessions');
    return r.code === 0 && !r.out.includes('"frank"');
  }), 'erin removes frank: his session ends');

  // And she ends the meeting from the page.
  await erin.click('#c-end');
  t.ok(await t.until(erin, () => document.body.dataset.view === 'join-view'),
    'erin ends the meeting from her page');
  const rooms = await t.ctl('-j', 'rooms');
  t.ok(rooms.code === 0 && !rooms.out.includes('webroom'),
    'webroom is gone');
}

main().then((failed) => process.exit(failed ? 1 : 0), (e) => {
  t.ok(false, 'the scenario ran to its end');
  t.diag(e.stack || String(e));
  t.done();
  t.cleanup();
  process.exit(1);
});
