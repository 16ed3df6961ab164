/**
 * Runs electronegativity's scanner programmatically with its bundled English texts, so it needs no network (its
 * CLI fetches translations first). Usage: node run-electronegativity.ts SRC_DIR OUT.csv — prints the findings as
 * JSON on stdout. The test runs this under `unshare --net` anyway.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve('@doyensec/electronegativity/package.json'));
const i18n = require('i18n') as { configure(o: object): void; setLocale(l: string): void };
i18n.configure({ locales: ['en-US'], defaultLocale: 'en-US', directory: path.join(pkgDir, 'dist/locales'), updateFiles: false, objectNotation: true, register: globalThis });
i18n.setLocale('en-US');
const run = require(path.join(pkgDir, 'dist/runner.js')) as (o: object, forCli: boolean) => Promise<{
  errors: unknown[];
  issues: { id: string; file: string; location: { line: number; column: number }; severity: { name: string }; confidence: { name: string }; manualReview: boolean; sample?: string }[];
}>;

const [input, output] = process.argv.slice(2);
const r = await run(
  {
    input: path.resolve(input),
    // The tool's own CSV writer is asynchronous and racy; the CSV is written below instead.
    output: undefined,
    isSarif: false,
    customScan: [],
    // Needs Electron's release list from the internet; the version is pinned in package.json instead.
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
    severitySet: 'informational',
    confidenceSet: 'tentative',
    isRelative: false,
    isVerbose: false,
    electronUpgrade: undefined,
    electronVersionOverride: '45.5.0',
    parserPlugins: [],
  },
  false,
);
const issues = r.issues.map((i) => ({ id: i.id, severity: i.severity.name, confidence: i.confidence.name, file: i.file, line: i.location.line, column: i.location.column, manualReview: i.manualReview, sample: i.sample ?? null }));
const q = (v: unknown) => `"${String(v ?? '').replaceAll('"', '""')}"`;
writeFileSync(output, ['issue,severity,confidence,filename,location,manual_review,sample', ...issues.map((i) => [i.id, i.severity, i.confidence, i.file, `${i.line}:${i.column}`, i.manualReview, i.sample].map(q).join(','))].join('\n') + '\n');
process.stdout.write(
  JSON.stringify({ errors: r.errors.length, issues }),
  // Its i18n module still tries a download in the background (refused: no network here); don't wait for it.
  () => process.exit(0),
);
