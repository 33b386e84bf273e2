"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CalendarClock } from "lucide-react";
import { useState } from "react";

import { useControlAccess } from "@/components/auth/use-availability";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { backupKeys, backupSchedulesQueryOptions, putBackupSchedule } from "@/lib/client/backups";
import type { BackupSchedule } from "@/lib/schemas/backups";

function every(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}

/** Each cluster's schedule (off by default); admins edit it in place. */
export function ScheduleTable() {
  const q = useQuery(backupSchedulesQueryOptions());
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <section aria-labelledby="schedules-title" className="space-y-3">
      <h2 id="schedules-title" className="flex items-center gap-2 text-lg font-semibold">
        <CalendarClock aria-hidden className="size-5" /> Schedules
      </h2>
      {q.isError ? <p role="alert" className="text-sm text-danger">Could not read the schedules: {q.error.message}</p> : null}
      <Table aria-label="Backup schedules">
        <TableHead>
          <TableRow>
            <TableHeaderCell>Cluster</TableHeaderCell>
            <TableHeaderCell>Schedule</TableHeaderCell>
            <TableHeaderCell>Every</TableHeaderCell>
            <TableHeaderCell>Keep</TableHeaderCell>
            <TableHeaderCell>Last backup</TableHeaderCell>
            <TableHeaderCell>Next</TableHeaderCell>
            <TableHeaderCell>
              <span className="sr-only">Edit</span>
            </TableHeaderCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {(q.data?.schedules ?? []).length === 0 ? (
            <TableRow>
              <TableCell colSpan={7} className="text-fg-muted">{q.isPending ? "Loading…" : "No cluster."}</TableCell>
            </TableRow>
          ) : (
            q.data!.schedules.map((s) =>
              editing === s.cluster ? (
                <ScheduleForm key={s.cluster} schedule={s} onDone={() => setEditing(null)} />
              ) : (
                <ScheduleRow key={s.cluster} schedule={s} onEdit={() => setEditing(s.cluster)} />
              ),
            )
          )}
        </TableBody>
      </Table>
    </section>
  );
}

function ScheduleRow({ schedule: s, onEdit }: { schedule: BackupSchedule; onEdit: () => void }) {
  const access = useControlAccess("manageBackupSchedules", s.cluster);
  return (
    <TableRow>
      <TableCell className="font-medium">{s.cluster}</TableCell>
      <TableCell>{s.enabled ? <Badge tone="ok">On</Badge> : <Badge>Off</Badge>}</TableCell>
      <TableCell>{every(s.intervalMinutes)}</TableCell>
      <TableCell>
        {s.retainCount} newest{s.maxAgeDays !== null ? `, at most ${s.maxAgeDays} d old` : ""}
      </TableCell>
      <TableCell>{s.lastBackupAt ? <RelativeTime iso={s.lastBackupAt} /> : "—"}</TableCell>
      <TableCell>{s.nextRunAt ? <RelativeTime iso={s.nextRunAt} /> : "—"}</TableCell>
      <TableCell>
        {access.hidden ? null : (
          <Button size="sm" variant="ghost" onClick={onEdit} aria-label={`Edit the schedule of ${s.cluster}`}>
            Edit
          </Button>
        )}
      </TableCell>
    </TableRow>
  );
}

function ScheduleForm({ schedule: s, onDone }: { schedule: BackupSchedule; onDone: () => void }) {
  const qc = useQueryClient();
  const [enabled, setEnabled] = useState(s.enabled);
  const [interval, setIntervalMinutes] = useState(String(s.intervalMinutes));
  const [retain, setRetain] = useState(String(s.retainCount));
  const [age, setAge] = useState(s.maxAgeDays === null ? "" : String(s.maxAgeDays));
  const save = useMutation({
    mutationFn: () => putBackupSchedule(s.cluster, { enabled, intervalMinutes: Number(interval), retainCount: Number(retain), maxAgeDays: age.trim() === "" ? null : Number(age) }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: backupKeys.all });
      onDone();
    },
  });
  return (
    <TableRow>
      <TableCell className="font-medium">{s.cluster}</TableCell>
      <TableCell>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
        </label>
      </TableCell>
      <TableCell>
        <label className="text-sm">
          <span className="sr-only">Interval in minutes</span>
          <Input aria-label="Interval in minutes" type="number" min={5} value={interval} onChange={(e) => setIntervalMinutes(e.target.value)} className="w-24" /> min
        </label>
      </TableCell>
      <TableCell>
        <Input aria-label="Backups to keep" type="number" min={1} value={retain} onChange={(e) => setRetain(e.target.value)} className="w-20" />
        <Input aria-label="Maximum age in days" type="number" min={1} placeholder="no age limit" value={age} onChange={(e) => setAge(e.target.value)} className="mt-1 w-28" />
      </TableCell>
      <TableCell colSpan={3}>
        <div className="flex flex-wrap items-center gap-2">
          <Button size="sm" variant="primary" disabled={save.isPending} onClick={() => save.mutate()}>
            Save schedule
          </Button>
          <Button size="sm" onClick={onDone} disabled={save.isPending}>
            Cancel
          </Button>
          {save.isError ? (
            <span role="alert" className="text-sm text-danger">
              {save.error.message}
            </span>
          ) : null}
        </div>
      </TableCell>
    </TableRow>
  );
}
