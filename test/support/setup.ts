import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dir.js';
import './matchers.js';

afterAll(removeTempDirs);
