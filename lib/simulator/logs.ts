/**
 * Service logs and the kernel log of a simulated node, as machined keeps them: one in-memory
 * ring per service bounded in bytes (Talos's CircularBufferLoggingManager, DesiredCapacity
 * 1 MiB raw bytes per service, internal/app/machined/pkg/runtime/logging/circular.go), emptied
 * by a reboot (the buffers live in machined's memory), and a kernel ring read by Dmesg.
 *
 * Background chatter is generated lazily: a ring is filled up to "now" when someone reads or
 * follows it, at the service's rate (or the `log-flood` fault's), so an idle fleet of hundreds
 * of nodes costs nothing. Lines caused by something the node does (a service restart, an
 * applied config, a boot) are appended when they happen.
 */
import type { Clock } from "../utils/clock";

/** Talos's DesiredCapacity: raw bytes kept per service log. */
export const LOG_RING_BYTES = 1_048_576;
/** The simulated kernel ring (the simulator's choice: the kernel's size is a build option of siderolabs/pkgs, not checked here). */
export const KMSG_RING_BYTES = 262_144;
/** At most this many lines are synthesised per catch-up (a long idle ring is not refilled line by line). */
const MAX_CATCH_UP = 20_000;

export interface LogLine {
  time: number;
  text: string;
}

/** A ring of lines bounded by the bytes they hold (each line counts its text plus the newline). */
export class LineRing {
  private lines: LogLine[] = [];
  private head = 0;
  private bytes = 0;
  constructor(readonly capacity: number) {}

  push(line: LogLine): void {
    this.lines.push(line);
    this.bytes += Buffer.byteLength(line.text) + 1;
    while (this.bytes > this.capacity && this.head < this.lines.length - 1) {
      this.bytes -= Buffer.byteLength(this.lines[this.head]!.text) + 1;
      this.head++;
    }
    // Compact now and then so the dropped prefix does not pin memory.
    if (this.head > 4096 && this.head * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
  }

  /** The last `n` lines (n < 0: all). */
  tail(n: number): LogLine[] {
    const all = this.lines.length - this.head;
    const take = n < 0 ? all : Math.min(n, all);
    return this.lines.slice(this.lines.length - take);
  }

  clear(): void {
    this.lines = [];
    this.head = 0;
    this.bytes = 0;
  }

  get size(): number {
    return this.lines.length - this.head;
  }

  get byteSize(): number {
    return this.bytes;
  }
}

/**
 * What a following reader has not sent yet. A reader of machined's circular buffer that falls
 * more than the buffer behind loses what was overwritten; here the backlog is bounded the same
 * way (the oldest lines go, counted in `skipped`), so a client that stops reading never makes the
 * node hold more than one ring's worth per stream.
 */
export class FollowBacklog {
  private lines: string[] = [];
  private head = 0;
  private bytes = 0;
  skipped = 0;
  constructor(readonly capacity = LOG_RING_BYTES) {}

  push(text: string): void {
    this.lines.push(text);
    this.bytes += Buffer.byteLength(text) + 1;
    while (this.bytes > this.capacity && this.head < this.lines.length) {
      this.bytes -= Buffer.byteLength(this.lines[this.head]!) + 1;
      this.head++;
      this.skipped++;
    }
  }

  /** Takes lines from the front, up to about `maxBytes`. */
  take(maxBytes: number): string[] {
    const out: string[] = [];
    let n = 0;
    while (this.head < this.lines.length && (out.length === 0 || n < maxBytes)) {
      const l = this.lines[this.head++]!;
      n += Buffer.byteLength(l) + 1;
      out.push(l);
    }
    this.bytes -= n;
    if (this.head === this.lines.length) {
      this.lines = [];
      this.head = 0;
    }
    return out;
  }

  get byteSize(): number {
    return this.bytes;
  }

  get empty(): boolean {
    return this.head === this.lines.length;
  }
}

/** Deterministic pseudo-random integer from a key (FNV-1a; line content must not depend on Math.random). */
function pick(key: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % n;
}

/** A 64-hex-digit id (container ids) from a key, cheaply. */
function hexId(key: string): string {
  let out = "";
  for (let i = 0; i < 8; i++) out += pick(`${key}#${i}`, 0xffffffff).toString(16).padStart(8, "0");
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();

type Gen = (ctx: { time: number; i: number; hostname: string; address: string; key: string }) => string;

/** Go's log package with LstdFlags (apid, trustd): `2006/01/02 15:04:05 msg`. */
function goStd(ms: number, msg: string): string {
  const d = new Date(ms);
  const p = (x: number) => String(x).padStart(2, "0");
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${msg}`;
}

/** Background lines per service, in the formats each writes (runtime/logging/extract_test.go shows them). */
const GENERATORS: Record<string, Gen> = {
  machined: ({ i, key }) => {
    const lines = [
      `[talos] service[kubelet](Running): Health check successful`,
      `[talos] controller-runtime: reconciled {"component": "controller-runtime", "controller": "k8s.NodeStatusController"}`,
      `updated node status {"component": "controller-runtime", "controller": "k8s.NodeStatusController", "ready": true}`,
      `[talos] task updateBootloader (1/1): done, ${100 + pick(key, 300)}.${pick(key + "f", 999999)}ms`,
      `reconfigured wireguard link {"component": "controller-runtime", "controller": "network.LinkSpecController", "link": "kubespan", "peers": ${i % 5}}`,
    ];
    return lines[pick(key, lines.length)]!;
  },
  apid: ({ time, key, address }) =>
    goStd(time, `proxy: request to ${address}:50000 ${["/machine.MachineService/Version", "/cosi.resource.State/List", "/machine.MachineService/ServiceList", "/cosi.resource.State/Watch"][pick(key, 4)]} took ${pick(key + "t", 40)}ms`),
  trustd: ({ time, key }) => goStd(time, `received certificate request ${["accepted", "from 10.5.0.3:50100", "signed"][pick(key, 3)]}`),
  etcd: ({ time, i, key }) => {
    const m = [
      `{"level":"info","ts":"${iso(time)}","caller":"mvcc/kvstore_compaction.go:72","msg":"finished scheduled compaction","compact-revision":${100_000 + i * 7},"took":"${10 + pick(key, 40)}.${pick(key + "n", 999999)}ms","hash":${pick(key + "h", 4_000_000_000)}}`,
      `{"level":"info","ts":"${iso(time)}","caller":"mvcc/hash.go:157","msg":"storing new hash","hash":${pick(key + "h", 4_000_000_000)},"revision":${100_000 + i * 7},"compact-revision":${99_000 + i * 7}}`,
      `{"level":"info","ts":"${iso(time)}","caller":"etcdserver/server.go:1427","msg":"triggering snapshot","local-member-id":"${pick(key, 0xffffff).toString(16)}","local-member-applied-index":${200_000 + i * 13},"local-member-snapshot-index":${190_000 + i * 13},"local-member-snapshot-count":10000}`,
    ];
    return m[pick(key, m.length)]!;
  },
  kubelet: ({ time, key, hostname }) => {
    const ts = (time + 0.703).toFixed(3);
    const m = [
      `{"ts":${ts},"caller":"topologymanager/scope.go:110","msg":"RemoveContainer","v":0,"containerID":"${hexId(key)}"}`,
      `{"ts":${ts},"caller":"kubelet/kubelet.go:2473","msg":"SyncLoop (PLEG): event for pod","v":0,"pod":"kube-system/kube-proxy-${key.slice(-5)}","event":{"Type":"ContainerStarted"}}`,
      `{"ts":${ts},"caller":"kubelet/kubelet_node_status.go:512","msg":"Updating node status","v":2,"node":"${hostname}"}`,
      `{"ts":${ts},"caller":"prober/prober.go:107","msg":"Probe succeeded","v":3,"probeType":"Readiness","pod":"kube-system/coredns-${key.slice(-5)}"}`,
    ];
    return m[pick(key, m.length)]!;
  },
  containerd: ({ time, key }) =>
    `{"level":"info","msg":"${["starting signal loop","shim disconnected","cleaning up dead shim",'loading plugin \\"io.containerd.event.v1.publisher\\"...'][pick(key, 4)]}","time":"${iso(time).replace("Z", "000000Z")}"}`,
  cri: ({ time, key }) =>
    `{"level":"info","msg":"${['ImageCreate event name:\\"registry.k8s.io/pause:3.10\\"',"RunPodSandbox returns sandbox id","StartContainer returns successfully","PullImage returns image reference"][pick(key, 4)]}","time":"${iso(time).replace("Z", "000000Z")}"}`,
  udevd: ({ key }) => [`starting version 257`, `/dev/sda: Process 'sfdisk' succeeded.`, `Network interface NamePolicy= disabled on kernel command line.`][pick(key, 3)]!,
  syslogd: ({ time }) => `${iso(time)} talos syslogd[1]: message forwarded`,
  auditd: ({ time, i }) => `type=SYSCALL msg=audit(${(time / 1000).toFixed(3)}:${1000 + i}): arch=c000003e syscall=59 success=yes exit=0`,
  dashboard: ({ time }) => goStd(time, "dashboard: refreshed"),
};

/** Lines per second each service writes on its own (the simulator's choice: a quiet node's order of magnitude). */
const RATES: Record<string, number> = { machined: 0.2, apid: 0.3, trustd: 0.02, etcd: 0.1, kubelet: 0.5, containerd: 0.05, cri: 0.1, udevd: 0.001, syslogd: 0.01, auditd: 0.05, dashboard: 0.01 };

class ServiceLog {
  readonly ring = new LineRing(LOG_RING_BYTES);
  /** Time up to which background lines have been generated. */
  generatedUntil: number;
  count = 0;
  readonly subs = new Set<(l: LogLine) => void>();
  constructor(start: number) {
    this.generatedUntil = start;
  }
}

export interface NodeLogIdentity {
  hostname: string;
  address: string;
}

/** Kernel message: facility, priority (Talos prints both), time and text. */
export interface KernelMessage {
  facility: string;
  priority: string;
  time: number;
  message: string;
}

/** Talos's Dmesg line: `"%s: %7s: [%s]: %s"` with facility, priority, RFC3339Nano time (v1alpha1_server.go). */
export function formatKmsg(m: KernelMessage): string {
  // Go's RFC3339Nano drops trailing zeros of the fraction (and the dot when nothing is left).
  const t = new Date(m.time).toISOString().replace(/\.?0+Z$/, "Z");
  return `${m.facility}: ${m.priority.padStart(7)}: [${t}]: ${m.message}`;
}

function bootKernelMessages(boot: number, version: string): KernelMessage[] {
  const at = (ms: number) => boot + ms;
  const k = (ms: number, priority: string, message: string): KernelMessage => ({ facility: "kern", priority, time: at(ms), message });
  return [
    k(0, "notice", `Linux version 6.12.57-talos (@buildkitsandbox) (gcc (GCC) 14.2.0, GNU ld (GNU Binutils) 2.44) #1 SMP (talos ${version})`),
    k(0, "info", "Command line: talos.platform=metal console=ttyS0 console=tty0 init_on_alloc=1 slab_nomerge pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on ima_template=ima-ng ima_appraise=fix ima_hash=sha512"),
    k(1, "info", "BIOS-provided physical RAM map:"),
    k(3, "info", "Memory: 8036040K/8388088K available (18432K kernel code, 2810K rwdata, 9440K rodata, 3476K init, 3492K bss, 351792K reserved, 0K cma-reserved)"),
    k(120, "info", "Run /init as init process"),
    { facility: "user", priority: "warning", time: at(300), message: "[talos] [initramfs] booting Talos " + version },
    { facility: "daemon", priority: "info", time: at(900), message: "[talos] machined logger initialized" },
    k(1200, "info", "eth0: Link is Up - 10Gbps/Full - flow control off"),
    k(2500, "info", "IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready"),
  ];
}

const KERNEL_CHATTER = [
  "cni0: port 1(veth1a2b3c4d) entered forwarding state",
  "IPv6: ADDRCONF(NETDEV_CHANGE): veth1a2b3c4d: link becomes ready",
  "audit: type=1400 audit: apparmor=\"STATUS\" operation=\"profile_load\"",
  "nf_conntrack: default automatic helper assignment has been turned off for security reasons",
];

/** The logs of one node. `now` comes from the node's clock. */
export class NodeLogs {
  private readonly services = new Map<string, ServiceLog>();
  private readonly kernel = new LineRing(KMSG_RING_BYTES);
  private readonly kernelSubs = new Set<(l: LogLine) => void>();
  private kernelGeneratedUntil = 0;
  private kernelCount = 0;
  private bootAt = 0;
  /** Lines per second while the log-flood fault is on (per flooded service). */
  flood: { service?: string; linesPerSecond: number } | undefined;
  /** Open Logs/Dmesg streams, so a test can see a cancelled stream released. */
  openStreams = 0;

  constructor(
    private readonly clock: Clock,
    private readonly who: NodeLogIdentity,
  ) {}

  /** A new boot: machined's buffers and the kernel ring start empty, then fill with the boot. */
  boot(at: number, version: string, services: string[] = []): void {
    this.services.clear();
    this.kernel.clear();
    this.bootAt = at;
    for (const m of bootKernelMessages(at, version)) this.kernel.push({ time: m.time, text: formatKmsg(m) });
    this.kernelGeneratedUntil = at + 2500;
    // Boot lines go in as they were logged then, before any background line of this boot.
    const m = this.log("machined")!;
    const put = (text: string, time: number) => {
      this.pushLine(m, { time, text });
      m.generatedUntil = Math.max(m.generatedUntil, time);
    };
    put(`[talos] setting time servers to [time.cloudflare.com]`, at + 900);
    put(`[talos] task startAllServices (1/1): waiting for ${services.length} services`, at + 1500);
    // service_runner.go logs every state change of every service.
    services.forEach((id, i) => {
      const t = at + 1600 + i * 20;
      put(`[talos] service[${id}](Starting): Starting service`, t);
      put(`[talos] service[${id}](Running): Service started as goroutine`, t + 10);
    });
  }

  private log(id: string, create = true): ServiceLog | undefined {
    let s = this.services.get(id);
    if (!s && create) {
      s = new ServiceLog(Math.max(this.bootAt, this.clock.now() - 60 * 60_000));
      this.services.set(id, s);
    }
    return s;
  }

  private rate(id: string): number {
    if (this.flood && (this.flood.service === undefined || this.flood.service === id)) return this.flood.linesPerSecond;
    return RATES[id] ?? 0.01;
  }

  /** Generates the background lines of `id` up to now. */
  catchUp(id: string): void {
    const s = this.log(id)!;
    const gen = GENERATORS[id] ?? (({ time }) => goStd(time, `${id}: running`));
    const now = this.clock.now();
    const rate = this.rate(id);
    const step = 1000 / rate;
    let n = Math.floor((now - s.generatedUntil) / step);
    if (n <= 0) return;
    if (n > MAX_CATCH_UP) {
      s.generatedUntil = now - MAX_CATCH_UP * step;
      n = MAX_CATCH_UP;
    }
    for (let k = 0; k < n; k++) {
      s.generatedUntil += step;
      const i = s.count++;
      this.pushLine(s, { time: Math.round(s.generatedUntil), text: gen({ time: s.generatedUntil, i, hostname: this.who.hostname, address: this.who.address, key: `${this.who.hostname}/${id}/${this.bootAt}/${i}` }) });
    }
  }

  private pushLine(s: ServiceLog, line: LogLine): void {
    s.ring.push(line);
    for (const fn of s.subs) fn(line);
  }

  /** A line logged because something happened (service restart, config applied…). */
  append(id: string, text: string, at = this.clock.now()): void {
    const s = this.log(id)!;
    this.catchUp(id);
    this.pushLine(s, { time: at, text });
  }

  /** The last `tail` lines (<0: all kept). */
  tail(id: string, tail: number): LogLine[] {
    this.catchUp(id);
    return this.log(id)!.ring.tail(tail);
  }

  /** Calls `fn` for each new line of `id`; the ticker generating background lines runs only while someone follows. */
  follow(id: string, fn: (l: LogLine) => void): () => void {
    const s = this.log(id)!;
    s.subs.add(fn);
    let handle: unknown;
    const tick = () => {
      this.catchUp(id);
      handle = this.clock.setTimeout(tick, this.flood ? 50 : 250);
    };
    handle = this.clock.setTimeout(tick, this.flood ? 50 : 250);
    return () => {
      s.subs.delete(fn);
      this.clock.clearTimeout(handle);
    };
  }

  /** A kernel message (e.g. a link change during a reboot). */
  kmsg(m: Omit<KernelMessage, "time"> & { time?: number }): void {
    this.kernelCatchUp();
    const line = { time: m.time ?? this.clock.now(), text: formatKmsg({ ...m, time: m.time ?? this.clock.now() }) };
    this.kernel.push(line);
    for (const fn of this.kernelSubs) fn(line);
  }

  private kernelCatchUp(): void {
    const now = this.clock.now();
    // A kernel message every 30 s or so (veth churn); flooded nodes do not flood the kernel.
    const step = 30_000;
    let n = Math.floor((now - this.kernelGeneratedUntil) / step);
    if (n > 500) {
      this.kernelGeneratedUntil = now - 500 * step;
      n = 500;
    }
    for (let k = 0; k < n; k++) {
      this.kernelGeneratedUntil += step;
      const i = this.kernelCount++;
      const line = { time: this.kernelGeneratedUntil, text: formatKmsg({ facility: "kern", priority: "info", time: this.kernelGeneratedUntil, message: KERNEL_CHATTER[i % KERNEL_CHATTER.length]! }) };
      this.kernel.push(line);
      for (const fn of this.kernelSubs) fn(line);
    }
  }

  kernelLines(): LogLine[] {
    this.kernelCatchUp();
    return this.kernel.tail(-1);
  }

  followKernel(fn: (l: LogLine) => void): () => void {
    this.kernelSubs.add(fn);
    let handle: unknown;
    const tick = () => {
      this.kernelCatchUp();
      handle = this.clock.setTimeout(tick, 1000);
    };
    handle = this.clock.setTimeout(tick, 1000);
    return () => {
      this.kernelSubs.delete(fn);
      this.clock.clearTimeout(handle);
    };
  }

  /** Ends every follower (the node went down). */
  dispose(): void {
    for (const s of this.services.values()) s.subs.clear();
    this.kernelSubs.clear();
  }
}
