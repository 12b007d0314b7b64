/**
 * convsync/svelte in real Chromium, in a Svelte 5 app in runes mode
 * (test/browser/pages/svelte.ts): the tests every binding's page passes (./binding-page.ts).
 */
import { bindingPageTests } from './binding-page.js';

bindingPageTests('svelte', 'a Svelte app');
