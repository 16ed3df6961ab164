/**
 * Where the root-owned helper lives. Every path here is fixed: polkit names an executable only by a fixed path, and
 * pkexec runs whatever sits there as root, so none of these may ever be derived from user input other than a
 * validated version string.
 */
import path from 'node:path';

export const POLKIT_ACTION_ID = 'org.sandpiper.capture';
export const POLICY_PATH = '/usr/share/polkit-1/actions/org.sandpiper.capture.policy';
/** AppImage / source installs: one root-owned directory per app version. */
export const INSTALL_ROOT = '/usr/local/lib/sandpiper';
/** The deb's copy (electron-builder installs the deb under /opt/<productName>). */
export const DEB_HELPER_DIR = '/opt/Sandpiper/resources/helper';
export const LAUNCHER_NAME = 'sandpiper-helper';
export const SUMS_NAME = 'SHA256SUMS';

/** Files of the helper bundle that must be executable; everything else is installed 0644. */
export const EXECUTABLE_FILES: ReadonlySet<string> = new Set([LAUNCHER_NAME, 'node']);

/** Semver-like: digits and dots, optional pre-release/build of [0-9A-Za-z.-]. No slashes, no "..". */
const VERSION_RE = /^\d{1,6}\.\d{1,6}\.\d{1,6}(?:[-+][0-9A-Za-z][0-9A-Za-z.-]{0,63})?$/;

export function isValidVersion(v: string): boolean {
  return VERSION_RE.test(v) && !v.includes('..');
}

/** `root` lets tests install into a scratch tree; production always passes '/'. */
export function versionedDir(version: string, root = '/'): string {
  if (!isValidVersion(version)) throw new Error(`invalid helper version '${version}'`);
  return path.join(root, INSTALL_ROOT, version);
}

export function launcherPath(version: string, root = '/'): string {
  return path.join(versionedDir(version, root), LAUNCHER_NAME);
}

export function under(root: string, absPath: string): string {
  return path.join(root, absPath);
}

/**
 * The installed launchers to try, best first: this version's own copy, then the deb's. locate-helper can use this
 * list and must still check ownership (isRootOwnedChain) and the version the helper reports in its hello line.
 */
export function installedLauncherCandidates(version: string): string[] {
  return [launcherPath(version), path.join(DEB_HELPER_DIR, LAUNCHER_NAME)];
}
