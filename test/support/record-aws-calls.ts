/** Vitest setup file: every test worker records the AWS calls the functions make (see aws-calls.ts). */
import { recordAwsCalls } from './aws-calls.js';

recordAwsCalls();
