#!/usr/bin/env node
/**
 * End-to-end test of the built client against a running ChatApp server, in
 * Debian's headless Chromium driven by playwright-core.
 *
 *   E2E_BASE_URL=http://127.0.0.1:8000 node e2e/chat.e2e.mjs
 *
 * Two users in two browser contexts register, one creates a public room, the
 * other joins; they talk, see each other typing and online; the second goes
 * offline while the first sends five messages, comes back and must show every
 * message once, in seq order; a body that looks like HTML must show as text and
 * fire no dialog. Screenshots (desktop and 375px phone) go to e2e/screenshots/.
 *
 * Every wait is for a selector, a text or a page condition, with a timeout.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import {
  BASE_URL,
  CHROMIUM,
  CHROMIUM_ARGS,
  HEADED,
  ROOM,
  SHOTS,
  TIMEOUT,
  USER_A,
  USER_B,
  XSS,
  assertNoProblems,
  assertOnceInOrder,
  composer,
  note,
  problems,
  register,
  renderedMessages,
  screenshot,
  send,
  step,
  stepCount,
  suffix,
  waitForConnection,
  waitForMessage,
  waitForOnline,
  waitForRoom,
  watch,
} from './lib.mjs';
import {
  VAULT,
  assertNoReload,
  clearSearch,
  handOverOnLeave,
  markNoReload,
  privateRoomAppears,
  search,
  searchAndOpen,
} from './membership.mjs';
import {
  accessibleInBothThemes,
  dividerAndOwnMessages,
  formatting,
  keyboard,
  outboxSurvivesReload,
  scrollAnchor,
} from './scenarios.mjs';

// ------------------------------------------------------------------ scenario

/** Pages to photograph when a step fails. */
const openPages = new Map();

async function captureFailure() {
  for (const [who, page] of openPages) {
    try {
      if (!page.isClosed()) await screenshot(page, `failure-${who}.png`);
    } catch {
      // the browser may already be gone
    }
  }
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  process.stdout.write(`ChatApp e2e against ${BASE_URL} (users ${USER_A}, ${USER_B}; room ${ROOM})\n`);

  await step('server answers /api/health', async () => {
    const response = await fetch(`${BASE_URL}/api/health`).catch((error) => {
      throw new Error(`cannot reach ${BASE_URL} (set E2E_BASE_URL): ${error.cause?.code ?? error.message}`);
    });
    assert.equal(response.status, 200, `GET /api/health answered ${response.status}`);
  });

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: !HEADED,
    args: HEADED ? CHROMIUM_ARGS : ['--headless', ...CHROMIUM_ARGS],
    // Real scrollbars, so the scroll test can drag one.
    ignoreDefaultArgs: ['--hide-scrollbars'],
  });
  try {
    const desktop = {
      viewport: { width: 1280, height: 800 },
      deviceScaleFactor: 1,
      reducedMotion: 'reduce',
    };
    const ctxA = await browser.newContext(desktop);
    const ctxB = await browser.newContext(desktop);
    const pageA = await ctxA.newPage();
    const pageB = await ctxB.newPage();
    for (const page of [pageA, pageB]) page.setDefaultTimeout(TIMEOUT);
    watch(pageA, 'A');
    watch(pageB, 'B');
    openPages.set('A', pageA);
    openPages.set('B', pageB);

    await step('the login screen renders', async () => {
      await pageA.goto(BASE_URL, { waitUntil: 'domcontentloaded' });
      await pageA.getByRole('heading', { name: 'Welcome back' }).waitFor();
      await screenshot(pageA, 'desktop-login.png');
    });

    await step('the login page passes axe in light and dark', () =>
      accessibleInBothThemes(pageA, 'login page'),
    );

    await step(`A registers as ${USER_A}`, () => register(pageA, USER_A));
    await step(`B registers as ${USER_B}`, () => register(pageB, USER_B));

    await step(`A creates the public room ${ROOM}`, async () => {
      await markNoReload(pageB);
      await pageA.getByRole('button', { name: 'New room' }).click();
      await pageA.getByLabel('Room name').fill(ROOM);
      await pageA.getByRole('button', { name: 'Create room' }).click();
      await waitForRoom(pageA);
    });

    await step('B sees the new room appear without a reload (room_created) and joins it', async () => {
      await pageB.getByRole('button', { name: `Join ${ROOM}` }).waitFor({ timeout: TIMEOUT });
      await assertNoReload(pageB, 'room_created');
      await pageB.getByRole('button', { name: `Join ${ROOM}` }).click();
      await waitForRoom(pageB);
    });

    await step('each sees the other online', async () => {
      await waitForOnline(pageA, USER_B);
      await waitForOnline(pageB, USER_A);
    });

    await step('they exchange messages', async () => {
      await send(pageA, 'Morning! Is the release branch cut yet?');
      await waitForMessage(pageB, 'Morning! Is the release branch cut yet?');
      await send(pageB, 'Yes — tagged v2.4.0 ten minutes ago.');
      await waitForMessage(pageA, 'Yes — tagged v2.4.0 ten minutes ago.');
      await send(pageA, 'Great, I will start the rollout after lunch.\nShout if anything looks off.');
      await waitForMessage(pageB, 'Great, I will start the rollout after lunch.\nShout if anything looks off.');
    });

    await step(`A creates the private room ${VAULT}, adds B: B sees it appear (room_added)`, () =>
      privateRoomAppears(pageA, pageB),
    );

    await step('B searches for a word A sent and opens the result in its room', () =>
      searchAndOpen(pageB, {
        words: 'ROLLOUT',
        body: 'start the rollout after lunch',
        sender: USER_A,
        room: ROOM,
      }),
    );

    await step('the search results pass axe in light and dark', async () => {
      await search(pageA, 'release');
      await accessibleInBothThemes(pageA, 'search results');
      await clearSearch(pageA);
    });

    await step('links, bold, italic and code render; javascript: stays text', () =>
      formatting(pageA, pageB),
    );

    await step('B sees A typing, A sees B typing', async () => {
      await composer(pageA).pressSequentially('draft', { delay: 20 });
      await pageB.getByTestId('typing').filter({ hasText: `${USER_A} is typing` }).waitFor();
      await composer(pageB).pressSequentially('hmm', { delay: 20 });
      await pageA.getByTestId('typing').filter({ hasText: `${USER_B} is typing` }).waitFor();
      await composer(pageA).fill('');
      await composer(pageB).fill('');
    });

    await step('B goes offline (network cut)', async () => {
      await ctxB.setOffline(true);
      await pageB
        .locator(
          '[data-testid="connection-state"]:visible:is([data-state="offline"], [data-state="reconnecting"])',
        )
        .first()
        .waitFor({ timeout: TIMEOUT });
      note('B shows offline');
      // The online list keeps the last known users, oneself included (never "0").
      await waitForOnline(pageB, USER_B);
      await waitForOnline(pageB, USER_A);
      // Whether the server hears of the drop at once depends on Chromium delivering
      // the close; otherwise its ping timeout (45 s) ends B's socket. Report, do not fail.
      try {
        await waitForOnline(pageA, USER_B, false, 5000);
        note('A no longer lists B online');
      } catch {
        note('A still lists B online: the server has not seen the drop yet (ping timeout)');
      }
    });

    const missed = [1, 2, 3, 4, 5].map((n) => `While you were away, #${n}`);
    await step('A sends 5 messages while B is offline', async () => {
      for (const body of missed) await send(pageA, body);
      const shown = await renderedMessages(pageB);
      assert.ok(
        !shown.some((m) => missed.includes(m.body)),
        'B received messages while offline: the drop did not cut the socket',
      );
    });

    await step('B comes back and shows every message once, in order', async () => {
      await ctxB.setOffline(false);
      await waitForConnection(pageB, 'connected');
      await waitForMessage(pageB, missed[missed.length - 1]);
      const seenByA = await renderedMessages(pageA);
      const seenByB = await renderedMessages(pageB);
      assertOnceInOrder(seenByA, 'A');
      assertOnceInOrder(seenByB, 'B');
      assert.deepEqual(seenByB, seenByA, 'B does not show exactly what A shows');
      const bodies = seenByB.map((m) => m.body);
      assert.deepEqual(bodies.slice(-5), missed);
      process.stdout.write(`    B shows seqs ${seenByB.map((m) => m.seq).join(',')}\n`);
      await waitForOnline(pageA, USER_B);
    });

    await step('an HTML-looking body shows as text and fires no dialog', async () => {
      await send(pageA, XSS);
      await waitForMessage(pageB, XSS);
      const images = await pageB.locator('[data-testid="messages"] img').count();
      assert.equal(images, 0, 'the body was rendered as HTML');
      const last = await renderedMessages(pageB);
      assert.equal(last[last.length - 1].body, XSS);
      // A dialog would have fired by now if the onerror handler had run.
      await pageB.waitForFunction(() => document.readyState === 'complete');
      assertNoProblems();
    });

    await step('the chat view passes axe in light and dark', () =>
      accessibleInBothThemes(pageA, 'chat view'),
    );

    await step('keyboard: skip link to the composer, one tab stop for the messages', () =>
      keyboard(pageA),
    );

    await step('a "new messages" divider; own messages from another tab are not unread', () =>
      dividerAndOwnMessages(pageA, pageB, ctxB),
    );

    await step('an unsent message survives a reload and arrives once', () =>
      outboxSurvivesReload(pageA, pageB, ctxB),
    );

    await step('desktop screenshots', async () => {
      await send(pageB, 'All five arrived, in order. Looks good from here!');
      await waitForMessage(pageA, 'All five arrived, in order. Looks good from here!');
      await screenshot(pageA, 'desktop-a.png');
      await screenshot(pageB, 'desktop-b.png');
    });

    await step('phone (375px): the room list collapses behind a button', async () => {
      const state = await ctxB.storageState();
      const phone = await browser.newContext({
        storageState: state,
        viewport: { width: 375, height: 812 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        reducedMotion: 'reduce',
      });
      const page = await phone.newPage();
      page.setDefaultTimeout(TIMEOUT);
      watch(page, 'B-phone');
      openPages.set('B-phone', page);
      await page.goto(BASE_URL, { waitUntil: 'domcontentloaded' });
      await waitForRoom(page);
      await waitForMessage(page, 'All five arrived, in order. Looks good from here!');
      const sidebar = page.locator('#sidebar');
      assert.equal(await sidebar.isVisible(), false, 'the room list should be hidden at 375px');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `the page scrolls sideways at 375px (${width}px wide)`);
      await waitForConnection(page, 'connected');
      await screenshot(page, 'phone-room.png');
      await page.getByRole('button', { name: 'Show rooms' }).click();
      await sidebar.getByRole('button', { name: ROOM }).waitFor({ state: 'visible' });
      await page.waitForFunction(
        () => document.getElementById('sidebar')?.getBoundingClientRect().left === 0,
        null,
        { timeout: TIMEOUT },
      );
      await screenshot(page, 'phone-rooms.png');
      await page.keyboard.press('Escape');
      await sidebar.waitFor({ state: 'hidden' });
      await phone.close();
    });

    await step(`A owns ${VAULT}: leaving hands it to B, who is shown as its owner`, () =>
      handOverOnLeave(pageA, pageB),
    );

    await step('B logs out: token cleared, back at the login screen', async () => {
      await pageB.getByRole('button', { name: 'Log out' }).click();
      await pageB.getByRole('heading', { name: 'Welcome back' }).waitFor();
      const token = await pageB.evaluate(() => localStorage.getItem('chatapp.token'));
      assert.equal(token, null, 'the token is still in localStorage');
      await waitForOnline(pageA, USER_B, false);
    });

    await step('the place holds while older pages load, by every way of scrolling', () =>
      scrollAnchor(pageA),
    );

    await step('a result deep in the history opens there, loaded around it', async () => {
      await pageA.reload({ waitUntil: 'domcontentloaded' });
      await waitForConnection(pageA, 'connected');
      await waitForMessage(pageA, 'history #260');
      const held = await pageA.$$eval(
        '[data-testid="message-body"]',
        (els) => els.filter((el) => /^history #79\b/.test(el.textContent ?? '')).length,
      );
      assert.equal(held, 0, 'history #79 is loaded before the search: nothing to load around');
      await searchAndOpen(pageA, {
        words: 'history 7',
        body: 'history #79',
        sender: 'seed',
        room: `history-${suffix}`,
      });
    });

    assertNoProblems();
    await ctxA.close();
    await ctxB.close();
  } catch (error) {
    await captureFailure();
    throw error;
  } finally {
    await browser.close();
  }
}

main().then(
  () => {
    process.stdout.write(`\nPASS: ${stepCount()} steps\n`);
    process.exit(0);
  },
  (error) => {
    process.stdout.write(`\nFAIL: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    if (problems.length) process.stdout.write(`browser problems:\n${problems.join('\n')}\n`);
    process.exit(1);
  },
);
