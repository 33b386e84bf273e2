import { expect, test } from "@playwright/test";

// GET /api/nodes in a real browser: the fleet list is kept current by the event stream, never
// re-read on a timer while the stream is live, and a re-read the browser revalidates with the
// ETag goes out as a 304 while fetch (and so apiFetch) sees the cached 200.

test("the nodes page reads the fleet once, then only from the event stream", async ({ page }) => {
  // Up to 20 s for the stream plus 16 s of watching: more than the default 30 s allows.
  test.setTimeout(60_000);
  const reads: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/api/nodes") reads.push(r.url());
  });
  await page.goto("/nodes");
  await expect(page.getByText("Live", { exact: true })).toBeVisible({ timeout: 20_000 });
  const before = reads.length;
  // Three fallback intervals (FALLBACK_POLL_MS = 5 s): a timer would have fired by now.
  await page.waitForTimeout(16_000);
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  expect(reads.slice(before)).toEqual([]);
});

test("a re-read of GET /api/nodes is a 304 on the wire and the cached 200 for fetch", async ({ page }) => {
  await page.goto("/nodes");
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  // What went over the wire: the ExtraInfo events carry the raw status and headers, before the
  // HTTP cache turns a 304 into the stored 200. They may come before or after requestWillBeSent.
  let ids: string[] = [];
  const sentHeaders = new Map<string, Record<string, string>>();
  const rawStatus = new Map<string, number>();
  const rawHeaders = new Map<string, Record<string, string>>();
  // A URL the app itself never asks for, so only this test's reads are counted; one per attempt,
  // so each attempt's first read finds nothing cached.
  const url = "/api/nodes?try=";
  cdp.on("Network.requestWillBeSent", (e) => {
    if (e.request.url.includes(url)) ids.push(e.requestId);
  });
  cdp.on("Network.requestWillBeSentExtraInfo", (e) => sentHeaders.set(e.requestId, e.headers as Record<string, string>));
  cdp.on("Network.responseReceivedExtraInfo", (e) => {
    rawStatus.set(e.requestId, e.statusCode);
    rawHeaders.set(e.requestId, e.headers as Record<string, string>);
  });
  const header = (m: Map<string, Record<string, string>>, id: string, name: string) => Object.entries(m.get(id) ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];
  const wire = () => ids.map((id) => rawStatus.get(id));
  const ifNoneMatch = () => ids.map((id) => header(sentHeaders, id, "if-none-match"));
  // The fleet's readings change every poll: two reads may straddle a change (then both are 200s).
  let pair: { status: number; etag: string | null; body: string }[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    ids = [];
    // apiFetch's own request: a plain GET with `accept: application/json`, no cache option.
    pair = await page.evaluate(async (u) => {
      const read = async () => {
        const res = await fetch(u, { headers: { accept: "application/json" } });
        return { status: res.status, etag: res.headers.get("etag"), body: await res.text() };
      };
      return [await read(), await read()];
    }, `${url}${attempt}`);
    if (pair[0]!.etag === pair[1]!.etag) break;
  }
  expect(pair[0]!.etag).toBe(pair[1]!.etag);
  expect(pair.map((p) => p.status)).toEqual([200, 200]);
  expect(pair[1]!.body).toBe(pair[0]!.body);
  expect(JSON.parse(pair[1]!.body).nodes.length).toBe(8);
  await expect.poll(wire).toEqual([200, 304]);
  expect(ifNoneMatch()).toEqual([undefined, pair[0]!.etag]);
  // The full list went compressed (br, or gzip where Chromium offers no br over plain HTTP) and
  // the browser decoded it (parsed above).
  expect(header(rawHeaders, ids[0]!, "content-encoding")).toMatch(/^(br|gzip)$/);
});
