import { z } from "zod";

/**
 * The largest id an INTEGER column holds (32-bit on PostgreSQL). A larger number in a path or
 * query is no row's id, and PostgreSQL would refuse to compare the column with it (a 500):
 * validation answers it instead.
 */
export const MAX_DB_INTEGER = 2 ** 31 - 1;

/** A numeric row id from a path or query string. */
export const dbIdSchema = z.coerce.number().int().min(1).max(MAX_DB_INTEGER);
