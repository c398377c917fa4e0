/**
 * The login token. It lives in localStorage so that a reload or a second tab stays
 * signed in; signing out or an expired token removes it.
 */
const KEY = 'cairn.token';

export const getToken = (): string | null => localStorage.getItem(KEY);
export const setToken = (token: string): void => localStorage.setItem(KEY, token);
export const clearToken = (): void => localStorage.removeItem(KEY);
