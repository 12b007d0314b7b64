/** The user endpoints of SPEC §3, for the tables of hostile and forbidden requests. */
export const INC = '/conversation/get_incremental_conversations';
export const BATCH = '/conversation/get_incremental_conversations_batch';
export const FULL = '/conversation/get_full_conversations';
export const IDS = '/conversation/get_full_conversation_ids';
export const SORTED = '/conversation/get_sorted_conversation_list';
export const SET = '/conversation/set_conversations';
export const MARK = '/conversation/mark_as_read';
export const DEL = '/conversation/delete_conversations';
