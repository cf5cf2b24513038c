/**
 * The end-to-end checks that need more than clicks: axe-core accessibility scans,
 * seeding a long room over the real Socket.IO API, and measuring whether the
 * message list keeps the reader's place while older pages load.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { io } from 'socket.io-client';
import { BASE_URL, TIMEOUT, note } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// ------------------------------------------------------------------ axe-core

/**
 * Scan the page with axe-core (WCAG 2.x A and AA plus best practices); fail on any
 * serious or critical violation, naming the rule and the first elements it hit.
 */
export async function assertAccessible(page, what) {
  // Evaluated over the DevTools protocol: the page's CSP (script-src 'self') would
  // refuse an injected <script>, and it should stay on.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const axe = window.axe;
    const found = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return found.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
    }));
  });
  const grave = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = result.filter((v) => !grave.includes(v));
  if (minor.length) note(`${what}: minor axe findings: ${minor.map((v) => v.id).join(', ')}`);
  assert.deepEqual(
    grave.map((v) => `${v.impact} ${v.id}: ${v.help}\n      ${v.nodes.join('\n      ')}`),
    [],
    `${what}: serious or critical accessibility violations`,
  );
  note(`${what}: no serious or critical axe violations`);
}

// ------------------------------------------------------------------ seeding

async function api(path, { token, method = 'GET', body } = {}) {
  const response = await fetch(`${BASE_URL}/api${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A user registered over REST, with a connected socket (for seeding only). */
export async function apiUser(name) {
  const password = `pw-${randomBytes(6).toString('hex')}`;
  await api('/auth/register', { method: 'POST', body: { username: name, password } });
  const { access_token: token } = await api('/auth/login', {
    method: 'POST',
    body: { username: name, password },
  });
  const socket = io(BASE_URL, { path: '/socket.io', auth: { token }, transports: ['websocket'] });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return { name, token, socket, api: (path, options = {}) => api(path, { ...options, token }) };
}

/**
 * Post `count` messages to a room from several users at once (the send rate limit
 * counts per user); a `rate_limited` answer is retried after a short pause, a
 * bounded number of times.
 */
export async function seedRoom(roomId, senders, count) {
  for (const sender of senders) {
    const ack = await sender.socket.timeout(TIMEOUT).emitWithAck('join', { room_id: roomId });
    assert.equal(ack.ok, true, `seed join: ${JSON.stringify(ack)}`);
  }
  let next = 1;
  const work = senders.map(async (sender) => {
    while (next <= count) {
      const n = next;
      next += 1;
      // Bodies of one to four lines, so messages differ in height.
      const body = [`history #${n}`, ...Array.from({ length: n % 4 }, (_, i) => `line ${i + 2}`)].join('\n');
      for (let attempt = 0; ; attempt += 1) {
        const ack = await sender.socket
          .timeout(TIMEOUT)
          .emitWithAck('send', { room_id: roomId, body, client_id: `seed-${roomId}-${n}` });
        if (ack.ok) break;
        assert.ok(ack.error.code === 'rate_limited' && attempt < 100, `seed send: ${JSON.stringify(ack)}`);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
  });
  await Promise.all(work);
}

// ------------------------------------------------------------------ scroll anchor

/** The first message at least partly visible in the list, and its offset from the top. */
export function anchorOf(page) {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid="message-scroll"]');
    const top = el.getBoundingClientRect().top;
    for (const item of el.querySelectorAll('[data-seq]')) {
      const rect = item.getBoundingClientRect();
      if (rect.bottom > top) {
        return { seq: Number(item.dataset.seq), offset: rect.top - top, scrollTop: el.scrollTop };
      }
    }
    return null;
  });
}

export function offsetOf(page, seq) {
  return page.evaluate((s) => {
    const el = document.querySelector('[data-testid="message-scroll"]');
    const item = el.querySelector(`[data-seq="${s}"]`);
    return item ? item.getBoundingClientRect().top - el.getBoundingClientRect().top : null;
  }, seq);
}

export const lowestMounted = (page) =>
  page.evaluate(() =>
    Math.min(...[...document.querySelectorAll('[data-testid="message"]')].map((li) => Number(li.dataset.seq))),
  );

/** Two animation frames: layout and any scroll correction have happened. */
export const settled = (page) =>
  page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

/** Wait until the list stops scrolling (keyboard and wheel scrolls are animated). */
export async function scrollIdle(page) {
  await page.waitForFunction(
    () =>
      new Promise((resolve) => {
        const el = document.querySelector('[data-testid="message-scroll"]');
        let last = el.scrollTop;
        let still = 0;
        const tick = () => {
          still = el.scrollTop === last ? still + 1 : 0;
          last = el.scrollTop;
          if (still >= 6) resolve(true);
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
    null,
    { timeout: TIMEOUT },
  );
}

/**
 * Holds each older-page request (`?before=`) until released, so the place can be
 * measured after the gesture that asked for it and before the page lands.
 */
export async function holdOlderPages(page) {
  const held = [];
  let waiter = null;
  const handler = (route) => {
    held.push(route);
    waiter?.();
  };
  await page.route(/\/api\/rooms\/\d+\/messages\?.*before=/, handler);
  return {
    count: () => held.length,
    next: () =>
      new Promise((resolve) => {
        if (held.length) resolve();
        else waiter = resolve;
      }),
    release: async () => {
      for (const route of held.splice(0)) await route.continue();
    },
    stop: () => page.unroute(/\/api\/rooms\/\d+\/messages\?.*before=/, handler),
  };
}

/**
 * Scroll up by `gesture` (called repeatedly, bounded) until an older page is asked
 * for; measure the first visible message; let the page land; its offset must not
 * move by more than 3 px.
 */
export async function keepsPlace(page, holder, method, gesture) {
  const before = holder.count();
  for (let i = 0; i < 200 && holder.count() === before; i += 1) {
    await gesture(i);
    await settled(page);
  }
  assert.ok(holder.count() > before, `${method}: no older page was asked for`);
  await scrollIdle(page);
  const anchor = await anchorOf(page);
  assert.ok(anchor, `${method}: no visible message`);
  const lowest = await lowestMounted(page);
  await holder.release();
  await page.waitForFunction(
    (low) =>
      Math.min(
        ...[...document.querySelectorAll('[data-testid="message"]')].map((li) => Number(li.dataset.seq)),
      ) < low,
    lowest,
    { timeout: TIMEOUT },
  );
  await scrollIdle(page);
  const after = await offsetOf(page, anchor.seq);
  assert.ok(after !== null, `${method}: the anchor message #${anchor.seq} is gone`);
  const moved = Math.abs(after - anchor.offset);
  note(`${method}: message seq ${anchor.seq} moved ${moved.toFixed(1)} px (older page from seq ${lowest - 1})`);
  assert.ok(moved <= 3, `${method}: the view jumped by ${moved.toFixed(1)} px`);
}
