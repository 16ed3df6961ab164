import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElevationError } from '../../src/installer/elevate.ts';
import type { RootStepResult } from '../../src/installer/root-step.ts';
import { messageBoxDialogs, offerHelperInstall, type HelperOfferDeps, type Notice, type OfferText, type ShowMessageBox } from '../../src/main/helper-offer.ts';

interface Rig {
  deps: HelperOfferDeps;
  offers: OfferText[];
  notices: Notice[];
  installs: number;
}

function rig(o: { ready?: boolean; answer?: boolean; install?: () => Promise<RootStepResult>; check?: () => Promise<never>; packaged?: boolean }): Rig {
  const r: Rig = {
    offers: [],
    notices: [],
    installs: 0,
    deps: {
      packaged: o.packaged ?? true,
      check: o.check ?? (async () => ({ ready: o.ready ?? false, build: { version: '1.2.3' } })),
      install: async () => {
        r.installs++;
        return (o.install ?? (async () => ({ ok: true, message: 'installed /usr/local/lib/sandpiper/1.2.3', paths: [] })))();
      },
      confirm: async (offer) => {
        r.offers.push(offer);
        return o.answer ?? true;
      },
      notify: async (n) => void r.notices.push(n),
    },
  };
  return r;
}

test('a ready helper: no dialog, no install', async () => {
  const r = rig({ ready: true });
  assert.deepEqual(await offerHelperInstall(r.deps), { kind: 'ready' });
  assert.deepEqual([r.offers.length, r.notices.length, r.installs], [0, 0, 0]);
});

test('not installed: one offer naming the version and the single password prompt; OK installs and says so', async () => {
  const r = rig({});
  const out = await offerHelperInstall(r.deps);
  assert.equal(out.kind, 'installed');
  assert.equal(r.offers.length, 1);
  assert.equal(r.offers[0].message, 'Sandpiper needs to install its capture helper');
  assert.match(r.offers[0].detail, /version 1\.2\.3/);
  assert.match(r.offers[0].detail, /\/usr\/local\/lib\/sandpiper/);
  assert.match(r.offers[0].detail, /asked for your password once/);
  assert.doesNotMatch(r.offers[0].detail, /development helper/);
  assert.equal(r.installs, 1);
  assert.deepEqual(r.notices.map((n) => [n.kind, n.message]), [['info', 'The capture helper is installed.']]);
});

test('declining installs nothing and reports nothing', async () => {
  const r = rig({ answer: false });
  assert.deepEqual(await offerHelperInstall(r.deps), { kind: 'declined' });
  assert.deepEqual([r.offers.length, r.notices.length, r.installs], [1, 0, 0]);
});

test('pkexec 126 / 127 / other failures become AppErrors shown once', async () => {
  const cases: [() => Promise<RootStepResult>, string, RegExp][] = [
    [async () => { throw new ElevationError('authentication was dismissed; nothing was changed', 126); }, 'auth_dismissed', /password prompt was dismissed/],
    [async () => { throw new ElevationError('not authorised', 127); }, 'not_authorised', /not allowed to install/],
    [async () => { throw new ElevationError('no root-safe Node runtime to run the install step', 69); }, 'internal', /could not be installed: no root-safe Node runtime to run the install step\.$/],
    [async () => ({ ok: false, message: 'refusing to install: node did not match the app\'s SHA-256 hashes.', paths: [] }), 'internal', /could not be installed: refusing to install: node did not match the app's SHA-256 hashes\.$/],
  ];
  for (const [install, code, message] of cases) {
    const r = rig({ install });
    const out = await offerHelperInstall(r.deps);
    assert.equal(out.kind, 'failed');
    assert.equal(out.kind === 'failed' && out.error.code, code);
    assert.equal(r.notices.length, 1);
    assert.equal(r.notices[0].kind, 'error');
    assert.match(r.notices[0].message, message);
    assert.ok(r.notices[0].detail.length > 0, 'every error says what to do');
  }
});

test('from a checkout the texts say the development helper is used meanwhile', async () => {
  const r = rig({ packaged: false, install: async () => { throw new ElevationError('dismissed', 126); } });
  await offerHelperInstall(r.deps);
  assert.match(r.offers[0].detail, /development helper/);
  assert.match(r.notices[0].detail, /development helper/);
});

test('a failing check or a failing dialog never throws', async () => {
  const r = rig({ check: async () => { throw new Error('the helper is not built (dist/helper/SHA256SUMS is missing): run `npm run build`'); } });
  const out = await offerHelperInstall(r.deps);
  assert.equal(out.kind, 'failed');
  assert.match(r.notices[0].message, /could not check its capture helper: the helper is not built/);
  assert.equal(r.offers.length, 0);

  const broken = rig({});
  broken.deps.confirm = async () => { throw new Error('window destroyed'); };
  assert.deepEqual(await offerHelperInstall(broken.deps), { kind: 'declined' });
  const noNotify = rig({ install: async () => { throw new ElevationError('x', 127); } });
  noNotify.deps.notify = async () => { throw new Error('window destroyed'); };
  assert.equal((await offerHelperInstall(noNotify.deps)).kind, 'failed');
});

test('message boxes: Install is the default, Esc means Not now; notices have one OK button', async () => {
  const shown: Parameters<ShowMessageBox>[0][] = [];
  let answer = 0;
  const d = messageBoxDialogs(async (o) => {
    shown.push(o);
    return { response: answer };
  });
  assert.equal(await d.confirm({ title: 't', message: 'm', detail: 'd' }), true);
  answer = 1;
  assert.equal(await d.confirm({ title: 't', message: 'm', detail: 'd' }), false);
  await d.notify({ kind: 'error', title: 't', message: 'm', detail: 'd' });
  assert.deepEqual(shown[0], { type: 'question', title: 't', message: 'm', detail: 'd', buttons: ['Install…', 'Not now'], defaultId: 0, cancelId: 1, noLink: true });
  assert.equal(shown[2].type, 'error');
  assert.deepEqual(shown[2].buttons, ['OK']);
});
