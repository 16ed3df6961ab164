import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePolicy, policyExecPath, POLICY_MESSAGE, POLICY_PLACEHOLDER } from '../../src/installer/policy.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('the policy names the action, the message, the defaults and the launcher', () => {
  const xml = generatePolicy('/usr/local/lib/sandpiper/0.1.0/sandpiper-helper');
  assert.match(xml, /<action id="org\.sandpiper\.capture">/);
  assert.ok(xml.includes(`<message>${POLICY_MESSAGE}</message>`));
  assert.equal(POLICY_MESSAGE, 'Authentication is required to capture network traffic');
  // A prompt per capture: no authorisation is kept for other processes of the session to reuse.
  assert.match(xml, /<allow_active>auth_admin<\/allow_active>/);
  assert.doesNotMatch(xml, /_keep\b/);
  assert.match(xml, /<allow_inactive>auth_admin<\/allow_inactive>/);
  assert.match(xml, /<allow_any>auth_admin<\/allow_any>/);
  assert.equal(policyExecPath(xml), '/usr/local/lib/sandpiper/0.1.0/sandpiper-helper');
  assert.doesNotMatch(xml, /allow_gui/);
});

test('the policy refuses launcher paths that are relative, escape, or could break the XML', () => {
  for (const bad of ['sandpiper-helper', '/opt/a b/x', '/opt/../tmp/x', '/opt/x"><annotate', '/opt/x<y', "/opt/x'y", '', '/']) {
    assert.throws(() => generatePolicy(bad), /refusing/, bad);
  }
});

test('build/polkit template is exactly the generated policy with the placeholder (the deb and the app agree)', () => {
  const template = readFileSync(path.join(repo, 'build/polkit/org.sandpiper.capture.policy'), 'utf8');
  assert.equal(template, generatePolicy(POLICY_PLACEHOLDER));
});

test('policyExecPath is null when no exec.path is annotated', () => {
  assert.equal(policyExecPath('<policyconfig><action id="x"/></policyconfig>'), null);
});
