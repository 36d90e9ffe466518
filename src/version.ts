/** Vouch's version, as package.json states it (a test keeps the two in step). */
export const VOUCH_VERSION = '0.1.0';
