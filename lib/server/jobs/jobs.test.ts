import { describe, expect, it, vi } from "vitest";

import { AppError } from "@/lib/server/platform/errors";
import { sleep } from "@/lib/utils/clock";
import { FakeClock, flush } from "@/test/fake-clock";

import { bootIdentity, type BootTalos, JobLoops, sameBoot, waitUntil } from "./index";

function talos(bootId: () => Promise<string>, bootTime = 1700000000): BootTalos & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    bootId: async () => {
      calls.push("bootId");
      return bootId();
    },
    systemStat: async () => {
      calls.push("systemStat");
      return { bootTime } as Awaited<ReturnType<BootTalos["systemStat"]>>;
    },
  };
}

describe("bootIdentity", () => {
  it("is the BootID as is when the node has one", async () => {
    const c = talos(async () => "0b7c-boot");
    expect(await bootIdentity(c, "10.5.0.2")).toBe("0b7c-boot");
    expect(c.calls).toEqual(["bootId"]);
  });

  it.each(["unsupported", "forbidden"] as const)("falls back to the boot time when BootID is %s", async (code) => {
    const c = talos(async () => {
      throw new AppError(code, "no BootID");
    });
    expect(await bootIdentity(c, "10.5.0.2")).toBe("boot-time:1700000000");
  });

  it("reads an error code from another bundle's AppError (duck-typed)", async () => {
    const c = talos(async () => {
      throw Object.assign(new Error("other chunk"), { code: "unsupported" });
    });
    expect(await bootIdentity(c, "10.5.0.2")).toBe("boot-time:1700000000");
  });

  it("passes other failures on", async () => {
    const c = talos(async () => {
      throw new AppError("node_unreachable", "down");
    });
    await expect(bootIdentity(c, "10.5.0.2")).rejects.toThrow("down");
    expect(c.calls).toEqual(["bootId"]);
  });

  it.each(["boot-time:1699999000", "time:1699999000"])("asks for a boot time again when the stored one (%s) is one", async (like) => {
    const c = talos(async () => "0b7c-boot");
    expect(await bootIdentity(c, "10.5.0.2", { like })).toBe("boot-time:1700000000");
    expect(c.calls).toEqual(["systemStat"]);
  });
});

describe("sameBoot", () => {
  it("compares identities stored by rollouts before the runners shared them", () => {
    expect(sameBoot("id:0b7c", "0b7c")).toBe(true);
    expect(sameBoot("0b7c", "id:0b7c")).toBe(true);
    expect(sameBoot("time:1700000000", "boot-time:1700000000")).toBe(true);
    expect(sameBoot("boot-time:1700000000", "boot-time:1700000000")).toBe(true);
  });

  it("tells different boots apart", () => {
    expect(sameBoot("id:0b7c", "1c8d")).toBe(false);
    expect(sameBoot("time:1700000000", "boot-time:1700000060")).toBe(false);
    expect(sameBoot("0b7c", "boot-time:1700000000")).toBe(false);
  });
});

describe("waitUntil", () => {
  it("checks until the node passes, reporting each new reason once", async () => {
    const clock = new FakeClock();
    const answers = ["rebooting", "rebooting", "not ready", null];
    const check = vi.fn(async () => {
      const reason = answers.shift();
      return reason === null || reason === undefined ? ({ ok: true } as const) : ({ ok: false, reason } as const);
    });
    const reasons: string[] = [];
    const result = waitUntil({ clock, pollMs: 500, deadline: clock.now() + 10_000, check, onWaiting: (r) => reasons.push(r) });
    await clock.advance(1500);
    expect(await result).toEqual({ ok: true });
    expect(check).toHaveBeenCalledTimes(4);
    expect(reasons).toEqual(["rebooting", "not ready"]);
    // The waits between checks keep the process alive (a runner child must not exit mid-wait).
    expect(clock.keepAlive).toEqual([true, true, true]);
  });

  it("gives up at the deadline with the last reason", async () => {
    const clock = new FakeClock();
    const check = vi.fn(async () => ({ ok: false, reason: `stage booting at ${clock.now()}` }) as const);
    const result = waitUntil({ clock, pollMs: 1000, deadline: clock.now() + 3000, check });
    await clock.advance(5000);
    expect(await result).toEqual({ ok: false, reason: "stage booting at 1003000", timedOut: true });
    expect(check).toHaveBeenCalledTimes(4);
    expect(clock.pending).toBe(0);
  });

  it("checks once even when the deadline has passed, so a healthy node passes", async () => {
    const clock = new FakeClock();
    const result = await waitUntil({ clock, pollMs: 1000, deadline: clock.now() - 1, check: async () => ({ ok: true }) });
    expect(result).toEqual({ ok: true });
  });

  it("ends after the check in progress when the job stops, without a timeout", async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    const check = vi.fn(async () => ({ ok: false, reason: "waiting" }) as const);
    const result = waitUntil({ clock, pollMs: 60_000, deadline: clock.now() + 600_000, signal: abort.signal, check });
    await flush();
    abort.abort();
    expect(await result).toEqual({ ok: false, reason: "waiting" });
    expect(check).toHaveBeenCalledTimes(2);
  });
});

describe("JobLoops", () => {
  it("runs one loop per job however often it is asked", async () => {
    const loops = new JobLoops(new FakeClock(), () => {});
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const run = vi.fn(() => gate);
    loops.ensure("a", run);
    loops.ensure("a", run);
    expect(run).toHaveBeenCalledTimes(1);
    expect(loops.has("a")).toBe(true);
    release();
    await loops.idle("a");
    expect(loops.has("a")).toBe(false);
    loops.ensure("a", run);
    expect(run).toHaveBeenCalledTimes(2);
    await loops.drain();
  });

  it("wakes a sleeping loop, and falls back to a tick when nobody does", async () => {
    const clock = new FakeClock();
    const loops = new JobLoops(clock, () => {});
    const seen: string[] = [];
    loops.ensure("a", async ({ nextWake }) => {
      await nextWake(5000);
      seen.push(`woken at ${clock.now()}`);
      await nextWake(5000);
      seen.push(`ticked at ${clock.now()}`);
    });
    await flush();
    loops.wake("a");
    await flush();
    await clock.advance(5000);
    await loops.idle("a");
    expect(seen).toEqual(["woken at 1000000", "ticked at 1005000"]);
  });

  it("reports a failed loop and forgets it", async () => {
    const errors: [string, unknown][] = [];
    const loops = new JobLoops(new FakeClock(), (id, e) => errors.push([id, e]));
    loops.ensure("a", async () => {
      throw new Error("boom");
    });
    await loops.drain();
    expect(errors).toEqual([["a", new Error("boom")]]);
    expect(loops.has("a")).toBe(false);
  });

  it("stop aborts the signal, waits for the loops and starts no more", async () => {
    const clock = new FakeClock();
    const loops = new JobLoops(clock, () => {});
    let sawAbort = false;
    loops.ensure("a", async ({ signal }) => {
      await sleep(clock, 3_600_000, signal);
      sawAbort = signal.aborted;
    });
    await loops.stop();
    expect(sawAbort).toBe(true);
    const run = vi.fn(async () => {});
    loops.ensure("b", run);
    expect(run).not.toHaveBeenCalled();
    expect(loops.stopped).toBe(true);
  });

  it("drain waits for loops started while it waits", async () => {
    const loops = new JobLoops(new FakeClock(), () => {});
    const order: string[] = [];
    loops.ensure("a", async () => {
      await flush();
      loops.ensure("b", async () => {
        await flush();
        order.push("b");
      });
      order.push("a");
    });
    await loops.drain();
    expect(order).toEqual(["a", "b"]);
  });
});
