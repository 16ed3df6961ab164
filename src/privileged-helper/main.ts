/**
 * sandpiper-helper entry point. Started by the launcher (a cleared environment, the pinned Node runtime) as the
 * first stage; the first stage re-executes this same bundle as the second stage. See docs/helper.md.
 */
import { fail } from './messages.ts';
import { runStage1 } from './stage1.ts';
import { runStage2 } from './stage2.ts';
import { STAGE_ENV } from './stage-handoff.ts';

const argv = process.argv.slice(2);
const env = process.env;
const internal = (e: unknown) => fail('internal', `internal error in the capture helper: ${e instanceof Error ? e.message : String(e)}`);

try {
  const stage = env[STAGE_ENV];
  if (stage === undefined) runStage1(argv, env);
  else runStage2(argv, stage).catch(internal);
} catch (e) {
  internal(e);
}
