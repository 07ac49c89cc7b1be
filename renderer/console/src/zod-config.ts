/**
 * Imported first by main.tsx, before any module builds a zod schema. The page's CSP forbids eval;
 * without `jitless` zod probes `new Function` once and Chromium logs that as a CSP violation.
 */
import { z } from 'zod';

z.config({ jitless: true });
