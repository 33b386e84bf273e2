/**
 * lib/config: Talos machine configs, isomorphic (the browser runs all of it).
 * - validateConfig: YAML stream → positioned issues (schema + Talos's semantic rules)
 * - parseConfigYaml / identifyDocument / positionForPath: the pieces, for the editor
 */
export { validateConfig, createValidator, type SchemaCatalog } from "./validate";
export { parseConfigYaml, identifyDocument, MAX_CONFIG_BYTES, MAX_ALIAS_COUNT, type ParsedDocument, type ParseResult } from "./parse";
export { positionForPath, type SourcePosition } from "./positions";
export * from "./types";
