/** convsync/server: the reference server. */
export {};
