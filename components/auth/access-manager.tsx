"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Ban, CircleCheck, Clock, KeyRound, MailPlus, Plus, Trash2 } from "lucide-react";
import { useState, type FormEvent, type ReactNode } from "react";

import { FormMessage } from "@/components/auth/auth-card";
import { explain } from "@/components/auth/explain";
import { RoleBadge } from "@/components/auth/role-badge";
import { SecretOnce } from "@/components/auth/secret-once";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input, Select } from "@/components/ui/input";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { ROLE_LABEL, ROLE_SUMMARY } from "@/lib/auth/roles";
import { authKeys, createInvitation, createToken, invitationsQuery, revokeInvitation, revokePasskey, revokeToken, revokeUser, setUserRole, tokensQuery, usersQuery } from "@/lib/client/auth";
import { registerPasskey } from "@/lib/client/passkeys";
import { roleSchema, type Invitation, type Role } from "@/lib/schemas/auth";

const ROLES = roleSchema.options;

function when(iso: string | null): string {
  return iso ? iso.slice(0, 16).replace("T", " ") : "never";
}

/** Outside render on purpose: the expiry check reads the clock. */
function isExpired(iso: string): boolean {
  return Date.parse(iso) <= Date.now();
}

function Section({ title, description, children, action }: { title: string; description: string; children: ReactNode; action?: ReactNode }) {
  return (
    <section aria-label={title} className="mb-8">
      <div className="mb-3 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 className="text-lg font-semibold">{title}</h2>
          <p className="text-sm text-fg-muted">{description}</p>
        </div>
        {action}
      </div>
      {children}
    </section>
  );
}

function State({ tone, icon: Icon, children }: { tone: "ok" | "warn" | "danger" | "neutral"; icon: typeof CircleCheck; children: ReactNode }) {
  return (
    <Badge tone={tone}>
      <Icon aria-hidden className="size-3" />
      {children}
    </Badge>
  );
}

/** Users, invitations, API tokens and the admin's own passkeys: the whole of access management. */
export function AccessManager({ selfId }: { selfId: string }) {
  return (
    <>
      <UsersSection selfId={selfId} />
      <InvitationsSection />
      <TokensSection />
    </>
  );
}

function useInvalidate() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: authKeys.all });
}

function UsersSection({ selfId }: { selfId: string }) {
  const users = useQuery(usersQuery());
  const invalidate = useInvalidate();
  const [error, setError] = useState<string | null>(null);
  const act = useMutation({ mutationFn: (fn: () => Promise<unknown>) => fn(), onSuccess: invalidate, onError: (e) => setError(explain(e)), onMutate: () => setError(null) });
  const [passkeyMessage, setPasskeyMessage] = useState<{ tone: "error" | "info"; text: string } | null>(null);

  return (
    <Section
      title="Users"
      description="People who can sign in. Revoking a user ends their sessions and disables their passkeys at once."
      action={
        <Button
          onClick={async () => {
            setPasskeyMessage(null);
            try {
              const p = await registerPasskey();
              setPasskeyMessage({ tone: "info", text: `Passkey “${p.name}” added to your account.` });
              void invalidate();
            } catch (e) {
              setPasskeyMessage({ tone: "error", text: explain(e) });
            }
          }}
        >
          <KeyRound aria-hidden className="size-4" />
          Add a passkey for me
        </Button>
      }
    >
      {passkeyMessage ? <FormMessage tone={passkeyMessage.tone}>{passkeyMessage.text}</FormMessage> : null}
      <Card className="overflow-x-auto">
        {users.isPending ? (
          <p className="p-4 text-sm text-fg-muted" role="status">Loading users…</p>
        ) : users.isError ? (
          <p className="p-4 text-sm text-danger" role="alert">Could not load users: {explain(users.error)}</p>
        ) : (
          <Table>
            <TableHead>
              <tr>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Role</TableHeaderCell>
                <TableHeaderCell>Passkeys</TableHeaderCell>
                <TableHeaderCell>Last sign-in (UTC)</TableHeaderCell>
                <TableHeaderCell>Status</TableHeaderCell>
                <TableHeaderCell><span className="sr-only">Actions</span></TableHeaderCell>
              </tr>
            </TableHead>
            <TableBody>
              {users.data.users.map((u) => {
                const revoked = u.revokedAt !== null;
                return (
                  <TableRow key={u.id} aria-label={`User ${u.name}`}>
                    <TableCell className="font-medium">
                      {u.name}
                      {u.id === selfId ? <span className="ml-2 text-xs text-fg-muted">(you)</span> : null}
                      {u.source === "oidc" ? <span className="ml-2 text-xs text-fg-muted">SSO</span> : null}
                    </TableCell>
                    <TableCell>
                      {revoked || u.id === selfId || u.source === "oidc" ? (
                        <RoleBadge role={u.role} />
                      ) : (
                        <Select aria-label={`Role of ${u.name}`} value={u.role} disabled={act.isPending} onChange={(e) => act.mutate(() => setUserRole(u.id, e.target.value as Role))}>
                          {ROLES.map((r) => (
                            <option key={r} value={r}>{ROLE_LABEL[r]}</option>
                          ))}
                        </Select>
                      )}
                    </TableCell>
                    <TableCell>
                      {u.passkeys.length === 0 ? (
                        <span className="text-fg-muted">{u.source === "oidc" ? "signs in with SSO" : "none yet"}</span>
                      ) : (
                        <ul className="flex flex-col gap-1">
                          {u.passkeys.map((k) => (
                            <li key={k.id} className="flex items-center gap-2">
                              <KeyRound aria-hidden className="size-3 text-fg-muted" />
                              <span>{k.name}</span>
                              <span className="text-xs text-fg-muted">{k.deviceType === "multiDevice" ? "synced" : "this device only"} · used {when(k.lastUsedAt)}</span>
                              {!revoked ? (
                                <Button size="sm" variant="ghost" aria-label={`Revoke passkey ${k.name} of ${u.name}`} onClick={() => act.mutate(() => revokePasskey(u.id, k.id))}>
                                  <Trash2 aria-hidden className="size-3" />
                                </Button>
                              ) : null}
                            </li>
                          ))}
                        </ul>
                      )}
                    </TableCell>
                    <TableCell className="tabular-nums">{when(u.lastSignInAt)}</TableCell>
                    <TableCell>{revoked ? <State tone="danger" icon={Ban}>Revoked</State> : <State tone="ok" icon={CircleCheck}>Active</State>}</TableCell>
                    <TableCell className="text-right">
                      {!revoked && u.id !== selfId ? (
                        <Button size="sm" variant="danger" onClick={() => confirm(`Revoke ${u.name}? Their sessions end and their passkeys stop working.`) && act.mutate(() => revokeUser(u.id))}>
                          Revoke
                        </Button>
                      ) : null}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
      </Card>
      {error ? <FormMessage tone="error">{error}</FormMessage> : null}
    </Section>
  );
}

function invitationState(i: Invitation): ReactNode {
  if (i.usedAt) return <State tone="ok" icon={CircleCheck}>Accepted by {i.usedBy?.replace(/^user:/, "")}</State>;
  if (i.revokedAt) return <State tone="neutral" icon={Ban}>Revoked</State>;
  if (isExpired(i.expiresAt)) return <State tone="neutral" icon={Clock}>Expired</State>;
  return <State tone="warn" icon={Clock}>Pending</State>;
}

function InvitationsSection() {
  const invitations = useQuery(invitationsQuery());
  const invalidate = useInvalidate();
  const [role, setRole] = useState<Role>("viewer");
  const [name, setName] = useState("");
  const [hours, setHours] = useState(72);
  const [link, setLink] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => createInvitation({ role, name: name.trim() || undefined, expiresInHours: hours }),
    onSuccess: (r) => {
      setLink(r.url);
      setName("");
      void invalidate();
    },
  });
  const revoke = useMutation({ mutationFn: revokeInvitation, onSuccess: invalidate });

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }

  return (
    <Section title="Invitations" description="A one-time link that creates an account with the role you choose. Send it over a channel you trust.">
      <Card className="p-4">
        <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3" aria-label="Invite someone">
          <label className="flex flex-col gap-1 text-sm font-medium">
            Role
            <Select value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>{ROLE_LABEL[r]}</option>
              ))}
            </Select>
          </label>
          <label className="flex flex-col gap-1 text-sm font-medium">
            Name (optional)
            <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={64} placeholder="suggested user name" />
          </label>
          <label className="flex flex-col gap-1 text-sm font-medium">
            Valid for
            <Select value={hours} onChange={(e) => setHours(Number(e.target.value))}>
              <option value={1}>1 hour</option>
              <option value={24}>1 day</option>
              <option value={72}>3 days</option>
              <option value={168}>7 days</option>
            </Select>
          </label>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            <MailPlus aria-hidden className="size-4" />
            Create invitation link
          </Button>
        </form>
        <p className="mt-2 text-xs text-fg-muted">{ROLE_LABEL[role]}: {ROLE_SUMMARY[role]}.</p>
        {create.isError ? <FormMessage tone="error">{explain(create.error)}</FormMessage> : null}
        {link ? <SecretOnce label="Invitation link" value={link} onDone={() => setLink(null)} /> : null}
      </Card>
      {invitations.data && invitations.data.invitations.length > 0 ? (
        <Card className="mt-3 overflow-x-auto">
          <Table>
            <TableHead>
              <tr>
                <TableHeaderCell>Role</TableHeaderCell>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Created by</TableHeaderCell>
                <TableHeaderCell>Expires (UTC)</TableHeaderCell>
                <TableHeaderCell>State</TableHeaderCell>
                <TableHeaderCell><span className="sr-only">Actions</span></TableHeaderCell>
              </tr>
            </TableHead>
            <TableBody>
              {invitations.data.invitations.map((i) => (
                <TableRow key={i.id}>
                  <TableCell><RoleBadge role={i.role} /></TableCell>
                  <TableCell>{i.name ?? <span className="text-fg-muted">any</span>}</TableCell>
                  <TableCell>{i.createdBy}</TableCell>
                  <TableCell className="tabular-nums">{when(i.expiresAt)}</TableCell>
                  <TableCell>{invitationState(i)}</TableCell>
                  <TableCell className="text-right">
                    {!i.usedAt && !i.revokedAt && !isExpired(i.expiresAt) ? (
                      <Button size="sm" onClick={() => revoke.mutate(i.id)} disabled={revoke.isPending}>Revoke</Button>
                    ) : null}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      ) : invitations.isError ? (
        <FormMessage tone="error">Could not load invitations: {explain(invitations.error)}</FormMessage>
      ) : null}
    </Section>
  );
}

function TokensSection() {
  const tokens = useQuery(tokensQuery());
  const invalidate = useInvalidate();
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [days, setDays] = useState(90);
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => createToken({ name: name.trim(), role, expiresInDays: days }),
    onSuccess: (r) => {
      setSecret(r.token);
      setName("");
      void invalidate();
    },
  });
  const revoke = useMutation({ mutationFn: revokeToken, onSuccess: invalidate });

  return (
    <Section title="API tokens" description="For automation: send as Authorization: Bearer <token>. Each has a role and an expiry; Minos stores only a hash.">
      <Card className="p-4">
        <form
          aria-label="Create an API token"
          className="flex flex-wrap items-end gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <label className="flex flex-col gap-1 text-sm font-medium">
            Token name
            <Input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} placeholder="e.g. ci-deploy" />
          </label>
          <label className="flex flex-col gap-1 text-sm font-medium">
            Role
            <Select value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>{ROLE_LABEL[r]}</option>
              ))}
            </Select>
          </label>
          <label className="flex flex-col gap-1 text-sm font-medium">
            Expires in
            <Select value={days} onChange={(e) => setDays(Number(e.target.value))}>
              <option value={7}>7 days</option>
              <option value={30}>30 days</option>
              <option value={90}>90 days</option>
              <option value={365}>1 year</option>
            </Select>
          </label>
          <Button type="submit" variant="primary" disabled={create.isPending || !name.trim()}>
            <Plus aria-hidden className="size-4" />
            Create token
          </Button>
        </form>
        {create.isError ? <FormMessage tone="error">{explain(create.error)}</FormMessage> : null}
        {secret ? <SecretOnce label="API token" value={secret} onDone={() => setSecret(null)} /> : null}
      </Card>
      {tokens.data && tokens.data.tokens.length > 0 ? (
        <Card className="mt-3 overflow-x-auto">
          <Table>
            <TableHead>
              <tr>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Starts with</TableHeaderCell>
                <TableHeaderCell>Role</TableHeaderCell>
                <TableHeaderCell>Created by</TableHeaderCell>
                <TableHeaderCell>Expires (UTC)</TableHeaderCell>
                <TableHeaderCell>Last used (UTC)</TableHeaderCell>
                <TableHeaderCell>State</TableHeaderCell>
                <TableHeaderCell><span className="sr-only">Actions</span></TableHeaderCell>
              </tr>
            </TableHead>
            <TableBody>
              {tokens.data.tokens.map((t) => {
                const expired = isExpired(t.expiresAt);
                return (
                  <TableRow key={t.id} aria-label={`Token ${t.name}`}>
                    <TableCell className="font-medium">{t.name}</TableCell>
                    <TableCell className="font-mono text-xs">{t.prefix}…</TableCell>
                    <TableCell><RoleBadge role={t.role} /></TableCell>
                    <TableCell>{t.createdBy}</TableCell>
                    <TableCell className="tabular-nums">{when(t.expiresAt)}</TableCell>
                    <TableCell className="tabular-nums">{when(t.lastUsedAt)}</TableCell>
                    <TableCell>
                      {t.revokedAt ? <State tone="danger" icon={Ban}>Revoked</State> : expired ? <State tone="neutral" icon={Clock}>Expired</State> : <State tone="ok" icon={CircleCheck}>Active</State>}
                    </TableCell>
                    <TableCell className="text-right">
                      {!t.revokedAt && !expired ? (
                        <Button size="sm" variant="danger" onClick={() => revoke.mutate(t.id)} disabled={revoke.isPending}>Revoke</Button>
                      ) : null}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Card>
      ) : tokens.isError ? (
        <FormMessage tone="error">Could not load tokens: {explain(tokens.error)}</FormMessage>
      ) : null}
    </Section>
  );
}
