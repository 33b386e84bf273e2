/**
 * @peculiar/x509, loaded so that it works without a Reflect metadata polyfill.
 *
 * @peculiar/x509 2.x registers its algorithms through tsyringe, which throws at import time unless
 * `Reflect.getMetadata` and friends exist; no polyfill is a dependency of Minos. tsyringe only needs
 * these three functions to register x509's classes, so a WeakMap store suffices. A real polyfill,
 * if one was loaded first, is left alone.
 *
 * The shim must run before @peculiar/x509 is evaluated, so it is installed by a side-effect import
 * placed first (ES modules evaluate imports in order). Plain module (no "server-only"): the
 * simulator, which runs outside Next, uses it too.
 */
import "./reflect-metadata-shim";

import * as x509 from "@peculiar/x509";

// Parsing needs no crypto provider; signing and thumbprints do. Node ≥ 20 has WebCrypto globally.
if (globalThis.crypto?.subtle) x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
