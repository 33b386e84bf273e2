/**
 * Email against a real SMTP server (the smtp-server package) on loopback, with a test CA: STARTTLS
 * required, implicit TLS, authentication, and the server's certificate verified (a CA the sender
 * was not given is refused, never waved through).
 */
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { createCa, issueServerCert, type CertAndKey } from "@/lib/talos/pki";
import type { Channel } from "@/lib/schemas/alerts";
import { addChannel, channelDeps, enqueue, makeWorker, notice, ORIGIN, storedText, T0, testBox } from "@/test/alerts/delivery";
import { testDb } from "@/test/db";
import { FakeClock } from "@/test/fake-clock";

import { fromNotice } from "../messages";
import type { OpenChannel } from "../model";
import { sendEmail } from "./email";
import type { SenderDeps } from "./types";

interface Mail {
  from: string | undefined;
  to: string[];
  raw: string;
  secure: boolean;
  user: string | undefined;
}

let ca: CertAndKey;
let cert: CertAndKey;
let otherCa: CertAndKey;
const servers: SMTPServer[] = [];
const PASSWORD = "smtp-pass-0123456789";

beforeAll(async () => {
  ca = await createCa({ keyAlgorithm: "ecdsa-p256" });
  cert = await issueServerCert(ca, { commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
  otherCa = await createCa();
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function smtp(opts: Partial<SMTPServerOptions>): Promise<{ port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    key: cert.keyPem,
    cert: cert.certPem,
    logger: false,
    authMethods: ["PLAIN", "LOGIN"],
    onAuth(auth, _session, cb) {
      if (auth.username === "minos" && auth.password === PASSWORD) cb(null, { user: "minos" });
      else cb(new Error("Invalid username or password"));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((x) => x.address),
          raw: Buffer.concat(chunks).toString("utf8"),
          secure: session.secure,
          user: session.user as string | undefined,
        });
        cb();
      });
    },
    ...opts,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.server.address() as { port: number }).port, mails };
}

function channel(port: number, security: "starttls" | "tls", password = PASSWORD): OpenChannel {
  return {
    id: "c1",
    type: "email",
    name: "mail",
    settings: { smtp: { host: "localhost", port, security, username: "minos", from: "minos@example.com", to: ["oncall@example.com", "lead@example.com"] } },
    secrets: { password },
  };
}

const deps = (caPem: string): SenderDeps => ({ origin: ORIGIN, userAgent: "Minos/test", now: () => new Date(T0), timeoutMs: 5_000, smtpTls: { ca: caPem } });

/** The decoded text of a MIME message: quoted-printable soft breaks joined, =XX decoded. */
function decoded(raw: string): string {
  return raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

describe("email channel", () => {
  it("delivers over STARTTLS (required) with the subject, severity and link, in plain text and escaped HTML", async () => {
    const s = await smtp({ secure: false });
    const n = notice({ summary: 'worker-3 <b>down</b> & "out"' });
    const result = await sendEmail(channel(s.port, "starttls"), fromNotice(n), deps(ca.certPem));
    expect(result).toEqual({ ok: true, statusCode: 250, error: null });
    expect(s.mails).toHaveLength(1);
    const m = s.mails[0]!;
    expect(m).toMatchObject({ from: "minos@example.com", to: ["oncall@example.com", "lead@example.com"], secure: true, user: "minos" });
    const text = decoded(m.raw);
    expect(text).toContain("Subject: [FIRING critical] Node unreachable: worker-3 (prod)\r\n");
    expect(text).toMatch(/Content-Type: text\/plain/);
    expect(text).toMatch(/Content-Type: text\/html/);
    expect(text).toContain("Severity: critical");
    expect(text).toContain(`Open in Minos: ${ORIGIN}/nodes/10.5.0.3%40prod`);
    expect(text).toContain(`<a href="${ORIGIN}/nodes/10.5.0.3%40prod">Open in Minos</a>`);
    expect(text).toContain("<p>worker-3 &lt;b&gt;down&lt;/b&gt; &amp; &quot;out&quot;</p>");
    expect(text).not.toContain("<b>down</b></p>");
    expect(m.raw).not.toContain(PASSWORD);
  });

  it("delivers over implicit TLS", async () => {
    const s = await smtp({ secure: true });
    const result = await sendEmail(channel(s.port, "tls"), fromNotice(notice({ status: "resolved", endsAt: new Date(T0).toISOString() })), deps(ca.certPem));
    expect(result.ok).toBe(true);
    expect(s.mails[0]!.secure).toBe(true);
    expect(decoded(s.mails[0]!.raw)).toContain("Subject: [RESOLVED critical] Node unreachable: worker-3 (prod)");
  });

  it("fails, without sending in clear, when the server refuses STARTTLS", async () => {
    const s = await smtp({ secure: false, disabledCommands: ["STARTTLS"], allowInsecureAuth: true, authOptional: true });
    const result = await sendEmail(channel(s.port, "starttls"), fromNotice(notice()), deps(ca.certPem));
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/STARTTLS/i);
    expect(s.mails).toEqual([]);
  });

  it("refuses a server whose certificate it cannot verify", async () => {
    const s = await smtp({ secure: false });
    const result = await sendEmail(channel(s.port, "starttls"), fromNotice(notice()), deps(otherCa.certPem));
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/certificate|self[- ]signed|issuer/i);
    expect(s.mails).toEqual([]);
  });

  it("goes through the outbox: a notice queued for an email channel arrives, and the attempt is logged with the SMTP code", async () => {
    const s = await smtp({ secure: false });
    const db = await testDb();
    const box = testBox();
    const clock = new FakeClock(T0);
    const events: Channel[] = [];
    const cdeps = channelDeps(db, box, clock, events, { smtpTls: { ca: ca.certPem } });
    const { channel: ch } = await addChannel(cdeps, { type: "email", name: "mail", smtp: { host: "localhost", port: s.port, security: "starttls", username: "minos", password: PASSWORD, from: "minos@example.com", to: ["oncall@example.com"] } });
    expect(await enqueue(db, notice({ severity: "warning", rule: "etcd-quorum", node: null, hostname: null, summary: "etcd quorum degraded: 2 of 3 members healthy", path: "/clusters/prod" }), T0)).toBe(1);
    const w = makeWorker(db, box, clock, "replica-a", events, { smtpTls: { ca: ca.certPem } });
    try {
      expect(await w.tick()).toBe(1);
    } finally {
      await w.stop();
    }
    expect(s.mails).toHaveLength(1);
    const text = decoded(s.mails[0]!.raw);
    expect(text).toContain("Subject: [FIRING warning] etcd quorum degraded (prod)\r\n");
    expect(text).toContain(`Open in Minos: ${ORIGIN}/clusters/prod`);
    const row = await db.selectFrom("alert_deliveries").selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ channel_id: ch.id, kind: "firing", ok: 1, status_code: 250, error: null });
    expect(await storedText(db)).not.toContain(PASSWORD);
  });

  it("gives a notification up after 3 permanent SMTP refusals (550) in a row, so the next one is sent", async () => {
    let refuse = true;
    const s = await smtp({
      secure: false,
      onRcptTo(address, _session, cb) {
        if (refuse) cb(Object.assign(new Error(`5.1.1 <${address.address}>: mailbox unavailable`), { responseCode: 550 }));
        else cb();
      },
    });
    const db = await testDb();
    const box = testBox();
    const clock = new FakeClock(T0);
    const events: Channel[] = [];
    await addChannel(channelDeps(db, box, clock, events, { smtpTls: { ca: ca.certPem } }), { type: "email", name: "mail", smtp: { host: "localhost", port: s.port, security: "starttls", username: "minos", password: PASSWORD, from: "minos@example.com", to: ["gone@example.com"] } });
    await enqueue(db, notice(), T0);
    await enqueue(db, notice({ alertId: "alert-2" }), T0);
    const w = makeWorker(db, box, clock, "replica-a", events, { smtpTls: { ca: ca.certPem } });
    const states = () => db.selectFrom("alert_notifications").select(["alert_id", "state", "attempts"]).orderBy("id").execute();
    try {
      for (const wait of [0, 5_000, 10_000]) {
        await clock.advance(wait);
        expect(await w.tick()).toBe(1);
      }
      expect(await states()).toEqual([
        { alert_id: "alert-1", state: "failed", attempts: 3 },
        { alert_id: "alert-2", state: "pending", attempts: 0 },
      ]);
      const codes = await db.selectFrom("alert_deliveries").select("status_code").execute();
      expect(codes.map((c) => c.status_code)).toEqual([550, 550, 550]);
      refuse = false;
      expect(await w.tick()).toBe(1);
    } finally {
      await w.stop();
    }
    expect((await states())[1]).toEqual({ alert_id: "alert-2", state: "sent", attempts: 1 });
    expect(s.mails).toHaveLength(1);
  });

  it("reports a refused login with the SMTP code and without the password", async () => {
    const s = await smtp({ secure: false });
    const wrong = "not-the-password-987654";
    const result = await sendEmail(channel(s.port, "starttls", wrong), fromNotice(notice()), deps(ca.certPem));
    expect(result).toMatchObject({ ok: false, statusCode: 535 });
    expect(result.error).not.toContain(wrong);
    expect(s.mails).toEqual([]);
  });
});
