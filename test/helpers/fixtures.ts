export { makeConversation } from '../../support/fixtures.js';
