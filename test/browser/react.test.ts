/**
 * convsync/react in real Chromium under <StrictMode> (test/browser/pages/react.tsx):
 * the tests every binding's page passes (./binding-page.ts).
 */
import { bindingPageTests } from './binding-page.js';

bindingPageTests('react', 'under StrictMode');
