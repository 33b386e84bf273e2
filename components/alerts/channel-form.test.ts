/**
 * The channel form's save: a create's answer carries the secret Minos generated, shown once.
 * It must not stay behind in the MutationCache once the form is gone.
 */
import { MutationObserver } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";

import { saveChannelOptions } from "@/components/alerts/channel-form";
import { channelFormOf } from "@/components/alerts/model";
import { alertKeys } from "@/lib/client/alerts";
import { makeQueryClient } from "@/lib/client/query-client";
import { channelFixture } from "@/test/alerts/ui-fixtures";

const SECRET = "generated-secret-0123456789abcdef";

afterEach(() => vi.unstubAllGlobals());

describe("saving a new channel", () => {
  it("hands the generated secret to the one-time view, then leaves nothing of it in the MutationCache", async () => {
    const fetch = vi.fn(async () => Response.json({ channel: channelFixture({ name: "pager" }), secret: SECRET }, { status: 201 }));
    vi.stubGlobal("fetch", fetch);
    const client = makeQueryClient();
    client.setQueryData(alertKeys.channels(), { channels: [] });
    const onDone = vi.fn();
    const form = { ...channelFormOf(), name: "pager", url: "https://hooks.example.com/minos" };
    const observer = new MutationObserver(client, saveChannelOptions(client, undefined, form, onDone));
    const unsubscribe = observer.subscribe(() => {});
    await observer.mutate();
    expect(fetch).toHaveBeenCalledOnce();
    expect(onDone).toHaveBeenCalledWith(expect.objectContaining({ secret: SECRET }));
    expect(client.getQueryState(alertKeys.channels())?.isInvalidated).toBe(true);
    // The form closes (its observer goes): with the default gcTime the answer would stay 5 minutes.
    unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(client.getMutationCache().getAll()).toEqual([]);
    expect(JSON.stringify(client.getMutationCache().getAll().map((m) => m.state.data))).not.toContain(SECRET);
  });
});
