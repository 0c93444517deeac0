/*
 * meet's page: a participant in a browser.  It speaks JSON over one
 * WebSocket to the node that served it (meetd/web-client.c):
 *
 *   page to node   {type, id, ...}: join, create, leave, say, react, who,
 *                  history, files, admit, deny, kick, mute, unmute, lock,
 *                  unlock, end; each is the meetctl command of that name
 *   node to page   {hello} first; {reply: id, code, out, err} with the
 *                  command's exit status and its -j output; the room's
 *                  events as `meetctl events -j` prints them; {session:
 *                  "ended"} when the participant is out of the room
 *
 * Shared files come by HTTP at /files/SECRET/ID, SECRET being this
 * connection's (from its hello).  Camera, microphone and screen are taken
 * and shown here; carrying them to the room is the media plane's next
 * step (README, "From a browser").
 *
 * Everything typed by people reaches the page through textContent only.
 */
'use strict';

const $ = (id) => document.getElementById(id);

const S = {
  ws: null,
  hello: null,
  nextId: 1,
  pending: new Map(),    // id -> {resolve}
  me: null,              // my name, once in a room or its lobby
  room: null,            // as the join answered: ROOM or ROOM@HOST
  state: 'out',          // out, joining, waiting, joined
  role: 'participant',
  members: new Map(),    // name -> who's participant object
  talking: new Set(),
  speaker: null,         // the last one who started talking
  pinned: null,
  view: 'grid',
  notice: null,          // why the last session ended
  seen: new Set(),       // chat lines shown: history and events overlap
  local: { mic: null, cam: null, screen: null },   // MediaStreams
  want: { cam: false, mic: false },
  autoJoin: false,
};

/* --- the socket ------------------------------------------------------- */

function connect() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(proto + '//' + location.host + '/ws');
  S.ws = ws;
  setLinkState('connecting');
  ws.onopen = () => setLinkState('connected');
  ws.onmessage = (e) => {
    let msg;
    try { msg = JSON.parse(e.data); } catch (err) { return; }
    onMessage(msg);
  };
  ws.onclose = (e) => {
    setLinkState('closed' + (e.reason ? ': ' + e.reason : ''));
    for (const p of S.pending.values())
      p.resolve({ code: 1, out: '', err: 'the connection closed' });
    S.pending.clear();
    if (S.state !== 'out')
      leftRoom('The connection to the node closed' +
        (e.reason ? ' (' + e.reason + ')' : '') + '.');
    S.hello = null;
    setTimeout(connect, 2000);
  };
}

function setLinkState(text) {
  $('link-state').textContent = text;
  document.body.dataset.link = text.split(':')[0];
}

/* Run a command on the node: a promise of {code, out, err}. */
function command(type, fields) {
  return new Promise((resolve) => {
    if (!S.ws || S.ws.readyState !== WebSocket.OPEN) {
      resolve({ code: 3, out: '', err: 'not connected to the node' });
      return;
    }
    const id = S.nextId++;
    S.pending.set(id, { resolve });
    S.ws.send(JSON.stringify(Object.assign({ type, id }, fields || {})));
  });
}

/* The JSON lines of a command's -j output. */
function lines(out) {
  const r = [];
  for (const l of (out || '').split('\n')) {
    if (l.trim() === '')
      continue;
    try { r.push(JSON.parse(l)); } catch (e) { /* not JSON: skip */ }
  }
  return r;
}

function firstError(res) {
  return (res.err || '').trim().split('\n')[0] || ('exit status ' + res.code);
}

function onMessage(msg) {
  if (msg.hello) {
    S.hello = msg;
    document.title = 'meet - ' + msg.node;
    if (S.autoJoin) {
      S.autoJoin = false;
      join();
    }
    return;
  }
  if (msg.reply !== undefined && S.pending.has(msg.reply)) {
    const p = S.pending.get(msg.reply);
    S.pending.delete(msg.reply);
    if (msg.error !== undefined)
      p.resolve({ code: 2, out: '', err: msg.error });
    else
      p.resolve(msg);
    return;
  }
  if (msg.event) {
    onEvent(msg);
    return;
  }
  if (msg.session === 'ended') {
    leftRoom(S.notice || 'You left ' + (S.room || 'the room') + '.');
    return;
  }
  if (msg.error)
    console.warn('meet: ' + msg.error);
}

/* --- joining ---------------------------------------------------------- */

async function join() {
  const room = $('f-room').value.trim();
  const name = $('f-name').value.trim();
  const create = $('f-create').checked;
  $('join-error').textContent = '';
  if (!room || !name) {
    $('join-error').textContent = 'A room and a name, please.';
    return;
  }
  S.want.cam = $('f-cam').checked;
  S.want.mic = $('f-mic').checked;
  S.state = 'joining';
  S.notice = null;
  $('f-join').disabled = true;
  const fields = { room, name };
  if ($('f-password').value)
    fields.password = $('f-password').value;
  if (!create && $('f-token').value.trim())
    fields.token = $('f-token').value.trim();
  if (create)
    fields.lobby = $('f-lobby').checked;
  const res = await command(create ? 'create' : 'join', fields);
  $('f-join').disabled = false;
  if (res.code !== 0) {
    S.state = 'out';
    $('join-error').textContent = firstError(res);
    return;
  }
  const ans = lines(res.out)[0] || {};
  S.me = ans.name || name;
  S.room = ans.room || room;
  $('where').textContent = S.room + ' as ' + S.me;
  if (ans.state === 'waiting') {
    S.state = 'waiting';
    $('lobby-text').textContent = 'The host of ' + S.room + ' knows that ' +
      S.me + ' is here, and will let you in (or not).';
    show('lobby-view');
    return;
  }
  enterRoom();
}

async function enterRoom() {
  S.state = 'joined';
  show('room-view');
  $('chat-log').replaceChildren();
  S.seen.clear();
  await refreshRoster();
  const h = await command('history');
  if (h.code === 0)
    for (const ev of lines(h.out))
      showChat(ev);
  refreshFiles();
  if (S.want.mic)
    toggleMic();
  if (S.want.cam)
    toggleCam();
}

/* Out of the room, for whatever reason: back to the form, saying why. */
function leftRoom(why) {
  stopAll();
  S.state = 'out';
  S.members.clear();
  S.talking.clear();
  S.pinned = S.speaker = null;
  $('where').textContent = '';
  $('tiles').replaceChildren();
  const n = $('notice');
  n.textContent = why;
  n.hidden = !why;
  show('join-view');
}

function show(id) {
  for (const v of document.querySelectorAll('.view'))
    v.hidden = (v.id !== id);
  document.body.dataset.view = id;
}

/* --- events ----------------------------------------------------------- */

const rosterEvents = new Set(['joined', 'left', 'knock', 'gave-up',
  'admitted', 'denied', 'kicked', 'host', 'muted', 'unmuted', 'audio-on',
  'audio-off', 'video-on', 'video-off', 'screen-on', 'screen-off',
  'reconnected', 'mode', 'recording', 'locked', 'unlocked']);

function onEvent(ev) {
  const mine = ev.name === S.me;
  switch (ev.event) {
  case 'chat':
    showChat(ev);
    return;
  case 'reaction':
    showReaction(ev.from, ev.emoji);
    systemLine(ev.ts, ev.from + ' reacts ' + ev.emoji);
    return;
  case 'talking':
  case 'stopped-talking':
    if (ev.event === 'talking') {
      S.talking.add(ev.name);
      S.speaker = ev.name;
    } else
      S.talking.delete(ev.name);
    render();
    return;
  case 'file':
    systemLine(ev.ts, ev.from + ' shared ' + ev.name);
    refreshFiles();
    return;
  case 'admitted':
    if (mine && S.state === 'waiting') {
      enterRoom();
      return;
    }
    break;
  case 'denied':
    if (mine)
      S.notice = 'The host of ' + S.room + ' turned you away.';
    break;
  case 'kicked':
    if (mine)
      S.notice = 'You were removed from ' + S.room + ' by ' + ev.by + '.';
    break;
  case 'ended':
    S.notice = 'The meeting in ' + S.room + ' was ended' +
      (ev.by ? ' by ' + ev.by : ev.reason ? ': ' + ev.reason : '') + '.';
    break;
  case 'disconnected':
    if (mine)
      S.notice = 'Disconnected from ' + S.room +
        (ev.reason ? ': ' + ev.reason : '') + '.';
    break;
  }
  if (S.state === 'joined') {
    systemLine(ev.ts, describe(ev));
    if (rosterEvents.has(ev.event))
      refreshRoster();
  }
}

function describe(ev) {
  switch (ev.event) {
  case 'joined': return ev.name + ' joined';
  case 'left': return ev.name + ' left' +
    (ev.reason && ev.reason !== 'left' ? ' (' + ev.reason + ')' : '');
  case 'knock': return ev.name + ' is waiting in the lobby';
  case 'gave-up': return ev.name + ' gave up waiting';
  case 'admitted': return ev.name + ' was admitted';
  case 'denied': return ev.name + ' was turned away';
  case 'kicked': return ev.name + ' was removed by ' + ev.by;
  case 'host': return ev.name + ' is now the host';
  case 'muted': case 'unmuted':
    return ev.name + ' ' + ev.event + ' ' + (ev.media || '') +
      (ev.by && ev.by !== ev.name ? ' by ' + ev.by : '');
  case 'locked': case 'unlocked': return ev.by + ' ' + ev.event + ' the room';
  case 'audio-on': return ev.name + '\'s microphone is on';
  case 'audio-off': return ev.name + '\'s microphone is off';
  case 'video-on': return ev.name + '\'s camera is on';
  case 'video-off': return ev.name + '\'s camera is off';
  case 'screen-on': return ev.name + ' is presenting';
  case 'screen-off': return ev.name + ' stopped presenting';
  case 'reconnected': return ev.name + ' reconnected';
  case 'recording': return 'recording ' + (ev.state || '') +
    (ev.by ? ' by ' + ev.by : '');
  case 'mode': return 'media now goes ' + (ev.mode === 'p2p' ?
    'straight between the two nodes' : 'through the room\'s node');
  case 'ended': return 'the meeting was ended';
  default: return ev.event + (ev.name ? ' ' + ev.name : '');
  }
}

/* --- the roster and the tiles ------------------------------------------- */

async function refreshRoster() {
  if (S.state !== 'joined')
    return;
  const res = await command('who');
  if (res.code !== 0)
    return;
  const who = lines(res.out)[0];
  if (!who)
    return;
  S.members.clear();
  for (const p of who.participants)
    S.members.set(p.name, p);
  const me = S.members.get(S.me);
  S.role = me ? me.role : 'participant';
  $('recording').hidden = !who.recording;
  if (S.pinned && !S.members.has(S.pinned))
    S.pinned = null;
  render();
}

function isHost() {
  return S.role === 'host' || S.role === 'co-host';
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls)
    e.className = cls;
  if (text !== undefined)
    e.textContent = text;
  return e;
}

function button(text, cls, onclick) {
  const b = el('button', cls, text);
  b.type = 'button';
  b.addEventListener('click', onclick);
  return b;
}

function render() {
  renderRoster();
  renderTiles();
  renderChatTo();
  for (const e of document.querySelectorAll('.host-only'))
    e.hidden = !isHost();
  const someoneElse = [...S.members.values()].some(
    (p) => p.screen && p.name !== S.me);
  $('c-screen').disabled = someoneElse && !S.local.screen;
  $('c-screen').title = $('c-screen').disabled ?
    'someone else is presenting: one at a time' : '';
}

function renderRoster() {
  const roster = $('roster');
  const lobby = $('lobby-list');
  roster.replaceChildren();
  lobby.replaceChildren();
  let joined = 0;
  for (const p of S.members.values()) {
    const li = el('li', 'person');
    li.dataset.name = p.name;
    li.dataset.role = p.role;
    if (S.talking.has(p.name))
      li.classList.add('talking');
    li.append(el('span', 'dot'), el('span', 'name', p.name));
    if (p.role === 'waiting') {
      li.append(el('span', 'role', 'waiting'));
      if (isHost()) {
        li.append(button('Admit', 'admit',
          () => hostCommand('admit', p.name)));
        li.append(button('Deny', 'deny',
          () => hostCommand('deny', p.name)));
      }
      lobby.append(li);
      continue;
    }
    joined++;
    if (p.role !== 'participant')
      li.append(el('span', 'role', p.role));
    li.append(el('span', 'media',
      'mic ' + p.audio + ', cam ' + p.video + (p.screen ? ', presenting' : '') +
      (p.away ? ', away' : '')));
    if (isHost() && p.name !== S.me) {
      if (p.audio !== 'muted')
        li.append(button('Mute', 'mute', () => hostCommand('mute', p.name)));
      li.append(button('Remove', 'kick', () => hostCommand('kick', p.name)));
    }
    roster.append(li);
  }
  $('people-count').textContent = '(' + joined + ')';
}

async function hostCommand(type, name) {
  const fields = { name };
  if (type === 'mute')
    fields.media = 'audio';
  const res = await command(type, fields);
  if (res.code !== 0)
    systemLine(null, type + ' ' + name + ': ' + firstError(res));
  refreshRoster();
}

/* Grid: everyone alike.  Speaker: the pinned one, else who talks, big. */
function renderTiles() {
  const tiles = $('tiles');
  const people = [...S.members.values()].filter((p) => p.role !== 'waiting');
  let main = null;
  if (S.view === 'speaker') {
    main = S.pinned || S.speaker;
    if (!main || !S.members.has(main))
      main = (people.find((p) => p.name !== S.me) || people[0] || {}).name;
  }
  tiles.className = S.view === 'speaker' ? 'speaker' : 'grid';
  tiles.style.setProperty('--cols',
    String(Math.max(1, Math.ceil(Math.sqrt(people.length)))));
  const keep = new Map();
  for (const t of tiles.children)
    keep.set(t.dataset.name, t);
  tiles.replaceChildren();
  for (const p of people) {
    const t = keep.get(p.name) || makeTile(p.name);
    t.classList.toggle('talking', S.talking.has(p.name));
    t.classList.toggle('main', p.name === main);
    t.classList.toggle('pinned', p.name === S.pinned);
    t.querySelector('.state').textContent =
      (p.audio === 'muted' ? 'muted' : '') + (p.screen ? ' presenting' : '');
    if (p.name === main)
      tiles.prepend(t);
    else
      tiles.append(t);
  }
  $('pin-state').textContent = S.pinned ? 'pinned: ' + S.pinned : '';
  attachLocalPreview();
}

function makeTile(name) {
  const t = el('div', 'tile');
  t.dataset.name = name;
  const face = el('div', 'face', name.slice(0, 1).toUpperCase());
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.hidden = true;
  const canvas = document.createElement('canvas');   // others' images
  canvas.hidden = true;
  const label = el('div', 'label');
  label.append(el('span', 'name', name), el('span', 'state'));
  const pin = button('Pin', 'pin', () => {
    S.pinned = S.pinned === name ? null : name;
    if (S.pinned)
      setView('speaker');
    render();
  });
  t.append(face, video, canvas, label, pin);
  return t;
}

function setView(v) {
  S.view = v;
  $('v-grid').classList.toggle('on', v === 'grid');
  $('v-speaker').classList.toggle('on', v === 'speaker');
  renderTiles();
}

/* --- chat, reactions, files --------------------------------------------- */

function clock(ts) {
  return ts && ts.length >= 19 ? ts.slice(11, 19) : '--:--:--';
}

function showChat(ev) {
  const key = ev.ts + '\u0000' + ev.from + '\u0000' + ev.text;
  if (S.seen.has(key))
    return;
  S.seen.add(key);
  const line = el('div', 'msg');
  line.dataset.from = ev.from;
  if (ev.to) {
    line.classList.add('private');
    line.dataset.to = ev.to;
  }
  line.append(el('span', 'ts', clock(ev.ts)), el('span', 'from', ev.from));
  if (ev.to)
    line.append(el('span', 'to', ev.from === S.me ? 'to ' + ev.to :
      'privately'));
  line.append(el('span', 'text', ev.text));
  appendChat(line);
}

function systemLine(ts, text) {
  const line = el('div', 'msg system');
  line.append(el('span', 'ts', clock(ts || new Date().toISOString())),
    el('span', 'text', text));
  appendChat(line);
}

function appendChat(line) {
  const log = $('chat-log');
  log.append(line);
  while (log.children.length > 500)
    log.firstChild.remove();
  log.scrollTop = log.scrollHeight;
}

function renderChatTo() {
  const sel = $('chat-to');
  const was = sel.value;
  sel.replaceChildren(new Option('everyone', ''));
  for (const p of S.members.values())
    if (p.name !== S.me && p.role !== 'waiting')
      sel.append(new Option(p.name, p.name));
  sel.value = S.members.has(was) ? was : '';
}

async function sendChat(e) {
  e.preventDefault();
  const text = $('chat-text').value;
  if (!text.trim())
    return;
  const fields = { text };
  if ($('chat-to').value)
    fields.to = $('chat-to').value;
  const res = await command('say', fields);
  if (res.code === 0)
    $('chat-text').value = '';
  else
    systemLine(null, 'not sent: ' + firstError(res));
}

function showReaction(from, emoji) {
  const r = el('div', 'reaction');
  r.append(el('span', 'emoji', emoji), el('span', 'name', from));
  $('reactions').append(r);
  setTimeout(() => r.remove(), 4000);
}

async function refreshFiles() {
  const res = await command('files');
  const list = $('file-list');
  if (res.code !== 0)
    return;
  const o = lines(res.out)[0] || { files: [] };
  list.replaceChildren();
  for (const f of o.files) {
    const li = el('li', 'file');
    li.dataset.id = f.id;
    const a = el('a', null, f.name);
    a.href = '/files/' + S.hello.secret + '/' + encodeURIComponent(f.id);
    a.download = f.name;
    li.append(a, el('span', 'meta', ' ' + size(f.size) + ' from ' + f.from +
      (f.to ? ' to ' + f.to : '')));
    list.append(li);
  }
}

function size(n) {
  if (n < 1024)
    return n + ' B';
  if (n < 1024 * 1024)
    return (n / 1024).toFixed(1) + ' KiB';
  return (n / 1024 / 1024).toFixed(1) + ' MiB';
}

/* --- camera, microphone, screen -------------------------------------- */

/*
 * The devices are taken here and shown in this page's own tile; the room
 * hears of them as mute and unmute (who shows them).  Sending them is the
 * media plane's: camera and screen as JPEG images from a canvas, the
 * microphone as Opus from WebCodecs' AudioEncoder, each a binary message.
 */
async function toggleMic() {
  if (S.local.mic) {
    stopStream('mic');
    await command('mute', { media: 'audio' });
  } else {
    try {
      S.local.mic = await navigator.mediaDevices.getUserMedia(
        { audio: true, video: false });
    } catch (e) {
      note('microphone: ' + e.message);
      return;
    }
    await command('unmute', { media: 'audio' });
  }
  $('c-mic').classList.toggle('on', !!S.local.mic);
  refreshRoster();
}

async function toggleCam() {
  if (S.local.cam) {
    stopStream('cam');
    await command('mute', { media: 'video' });
  } else {
    try {
      S.local.cam = await navigator.mediaDevices.getUserMedia(
        { video: { width: 640, height: 360 }, audio: false });
    } catch (e) {
      note('camera: ' + e.message);
      return;
    }
    await command('unmute', { media: 'video' });
  }
  $('c-cam').classList.toggle('on', !!S.local.cam);
  refreshRoster();
}

async function toggleScreen() {
  if (S.local.screen) {
    stopStream('screen');
  } else {
    try {
      S.local.screen = await navigator.mediaDevices.getDisplayMedia(
        { video: true, audio: false });
    } catch (e) {
      note('screen: ' + e.message);
      return;
    }
    S.local.screen.getVideoTracks()[0].addEventListener('ended',
      () => { stopStream('screen'); render(); });
  }
  $('c-screen').classList.toggle('on', !!S.local.screen);
  render();
}

function stopStream(kind) {
  if (!S.local[kind])
    return;
  for (const t of S.local[kind].getTracks())
    t.stop();
  S.local[kind] = null;
  if (kind === 'screen')
    $('c-screen').classList.remove('on');
}

function stopAll() {
  for (const k of ['mic', 'cam', 'screen'])
    stopStream(k);
  $('c-mic').classList.remove('on');
  $('c-cam').classList.remove('on');
}

/* My tile shows my camera (or my screen, when I present). */
function attachLocalPreview() {
  const t = [...$('tiles').children].find((x) => x.dataset.name === S.me);
  if (!t)
    return;
  const video = t.querySelector('video');
  const stream = S.local.screen || S.local.cam;
  if (video.srcObject !== stream)
    video.srcObject = stream;
  video.hidden = !stream;
  t.querySelector('.face').hidden = !!stream;
}

function note(text) {
  $('media-note').textContent = text;
  setTimeout(() => { $('media-note').textContent = ''; }, 6000);
}

/* --- wiring ----------------------------------------------------------- */

function setup() {
  const q = new URLSearchParams(location.search);
  if (q.get('room'))
    $('f-room').value = q.get('room');
  if (q.get('name'))
    $('f-name').value = q.get('name');
  if (q.get('token'))
    $('f-token').value = q.get('token');
  $('f-cam').checked = q.get('cam') === '1';
  $('f-mic').checked = q.get('mic') === '1';
  S.autoJoin = q.get('join') === '1';

  $('join-form').addEventListener('submit', (e) => {
    e.preventDefault();
    join();
  });
  $('lobby-leave').addEventListener('click', async () => {
    S.notice = 'You stopped waiting for ' + S.room + '.';
    await command('leave');
  });
  $('c-leave').addEventListener('click', async () => {
    S.notice = 'You left ' + S.room + '.';
    await command('leave');
  });
  $('c-end').addEventListener('click', () => command('end'));
  $('c-lock').addEventListener('click', async () => {
    const locking = $('c-lock').textContent === 'Lock';
    const res = await command(locking ? 'lock' : 'unlock');
    if (res.code === 0)
      $('c-lock').textContent = locking ? 'Unlock' : 'Lock';
  });
  $('c-mic').addEventListener('click', toggleMic);
  $('c-cam').addEventListener('click', toggleCam);
  $('c-screen').addEventListener('click', toggleScreen);
  $('v-grid').addEventListener('click', () => setView('grid'));
  $('v-speaker').addEventListener('click', () => setView('speaker'));
  $('chat-form').addEventListener('submit', sendChat);
  for (const b of document.querySelectorAll('.react'))
    b.addEventListener('click', () =>
      command('react', { emoji: b.dataset.emoji }));
  show('join-view');
  connect();
}

document.addEventListener('DOMContentLoaded', setup);
