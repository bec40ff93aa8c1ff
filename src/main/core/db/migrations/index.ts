import type { Migration } from '../migrate';
import { migration001 } from './001_settings';
import { migration002 } from './002_jobs';
import { migration003 } from './003_training';

/** Every migration, in order. Append only. */
export const migrations: readonly Migration[] = [migration001, migration002, migration003];
