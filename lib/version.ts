import pkg from "@/package.json";

/** Minos's own version, from package.json. */
export const MINOS_VERSION: string = pkg.version;
