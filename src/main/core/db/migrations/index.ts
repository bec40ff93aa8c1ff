import type { Migration } from '../migrate';
import { migration001 } from './001_settings';
import { migration002 } from './002_jobs';
import { migration003 } from './003_training';
import { migration004 } from './004_models_chat';
import { migration005 } from './005_datasets';
import { migration006 } from './006_compare';
import { migration007 } from './007_training_device';
import { migration008 } from './008_recount_tokens';
import { migration009 } from './009_model_merged_from';
import { migration010 } from './010_reasoning';

/** Every migration, in order. Append only. */
export const migrations: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
];
