// `node --import ./bench/lib/register.mjs file.ts`: installs ts-loader.mjs (see there).
import { register } from 'node:module';

register('./ts-loader.mjs', import.meta.url);
