/**
 * convsync/vue in real Chromium (test/browser/pages/vue.ts): the tests every binding's
 * page passes (./binding-page.ts).
 */
import { bindingPageTests } from './binding-page.js';

bindingPageTests('vue', 'a Vue app');
