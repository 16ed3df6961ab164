/**
 * The polkit action that lets pkexec start the capture helper. The installer generates it from code (never from a
 * file it could be handed), and build/polkit/org.sandpiper.capture.policy is the same text with a placeholder for
 * the deb (a unit test keeps the two identical).
 */
import { POLKIT_ACTION_ID } from './paths.ts';

export const POLICY_PLACEHOLDER = '@HELPER_LAUNCHER@';
export const POLICY_MESSAGE = 'Authentication is required to capture network traffic';

const SAFE_PATH_RE = /^\/[A-Za-z0-9_.+\/-]{1,4095}$/;

export function generatePolicy(launcher: string): string {
  if (launcher !== POLICY_PLACEHOLDER && (!SAFE_PATH_RE.test(launcher) || launcher.split('/').includes('..'))) {
    throw new Error(`refusing to write a polkit action for the helper path '${launcher}'`);
  }
  // auth_admin everywhere, a prompt per capture: with auth_admin_keep any process of the session could start a
  // promiscuous capture without a prompt for minutes after one (docs/packaging.md, "One prompt per capture").
  // No exec.allow_gui: the helper never talks to a display, so pkexec may drop DISPLAY/XAUTHORITY.
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE policyconfig PUBLIC
 "-//freedesktop//DTD PolicyKit Policy Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/PolicyKit/1/policyconfig.dtd">
<policyconfig>
  <vendor>Sandpiper</vendor>
  <icon_name>org.sandpiper.Sandpiper</icon_name>
  <action id="${POLKIT_ACTION_ID}">
    <description>Capture network traffic with Sandpiper</description>
    <message>${POLICY_MESSAGE}</message>
    <defaults>
      <allow_any>auth_admin</allow_any>
      <allow_inactive>auth_admin</allow_inactive>
      <allow_active>auth_admin</allow_active>
    </defaults>
    <annotate key="org.freedesktop.policykit.exec.path">${launcher}</annotate>
  </action>
</policyconfig>
`;
}

/** The launcher an installed policy points at, or null when it names none. */
export function policyExecPath(xml: string): string | null {
  const m = /<annotate key="org\.freedesktop\.policykit\.exec\.path">([^<]*)<\/annotate>/.exec(xml);
  return m === null ? null : m[1];
}
