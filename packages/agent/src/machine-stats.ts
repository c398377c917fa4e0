import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { homedir } from 'node:os';
import { queryGpuStats, type GpuStats } from './gpu-stats.js';

/** The `machine_stats` of `workers.status_report`: MB, MB/s and percent, as clearml-agent reports them. */
export interface MachineStats extends Partial<GpuStats> {
  cpu_usage?: number[];
  memory_used?: number;
  memory_free?: number;
  disk_free_home?: number;
  disk_read?: number;
  disk_write?: number;
  network_tx?: number;
  network_rx?: number;
}

interface Counters {
  at: number;
  cpu?: { busy: number; total: number };
  disk?: { read: number; write: number };
  net?: { rx: number; tx: number };
}

const MB = 1024 * 1024;
const round = (n: number) => Math.round(n * 1000) / 1000;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Jiffies from the aggregate `cpu` line of /proc/stat. */
function cpuCounters(): Counters['cpu'] {
  const line = readText('/proc/stat')?.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Bytes read and written by whole disks (those listed in /sys/block, less loop and ram devices). */
function diskCounters(): Counters['disk'] {
  const stats = readText('/proc/diskstats');
  if (!stats) return undefined;
  let disks: Set<string>;
  try {
    disks = new Set(readdirSync('/sys/block').filter((d) => !/^(loop|ram|zram)/.test(d)));
  } catch {
    return undefined;
  }
  let read = 0;
  let write = 0;
  for (const line of stats.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !disks.has(f[2]!)) continue;
    read += Number(f[5]) * 512;
    write += Number(f[9]) * 512;
  }
  return { read, write };
}

/** Bytes received and sent on every interface but loopback, from /proc/net/dev. */
function netCounters(): Counters['net'] {
  const text = readText('/proc/net/dev');
  if (!text) return undefined;
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!rest || name!.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map(Number);
    rx += f[0] ?? 0;
    tx += f[8] ?? 0;
  }
  return { rx, tx };
}

function memory(): { used: number; free: number } | undefined {
  const text = readText('/proc/meminfo');
  if (!text) return undefined;
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  if (!Number.isFinite(total) || !Number.isFinite(available)) return undefined;
  return { used: round((total - available) / 1024), free: round(available / 1024) };
}

function diskFreePercent(path: string): number | undefined {
  try {
    const s = statfsSync(path);
    return round((s.bavail / s.blocks) * 100);
  } catch {
    return undefined;
  }
}

/**
 * Samples this machine for heartbeats. Rates (CPU, disk, network) cover the time since
 * the previous sample, so the first sample after start-up has none of them.
 */
export class MachineStatsSampler {
  private last: Counters | undefined;

  constructor(
    private readonly opts: { diskPath?: string; nvidiaSmi?: string; gpus?: ReadonlySet<number> } = {},
  ) {}

  async sample(): Promise<MachineStats> {
    const now: Counters = { at: Date.now(), cpu: cpuCounters(), disk: diskCounters(), net: netCounters() };
    const prev = this.last;
    this.last = now;
    const stats: MachineStats = {};
    const mem = memory();
    if (mem) {
      stats.memory_used = mem.used;
      stats.memory_free = mem.free;
    }
    const free = diskFreePercent(this.opts.diskPath ?? homedir());
    if (free !== undefined) stats.disk_free_home = free;
    const seconds = prev ? (now.at - prev.at) / 1000 : 0;
    if (prev && seconds > 0) {
      if (now.cpu && prev.cpu && now.cpu.total > prev.cpu.total) {
        stats.cpu_usage = [round(((now.cpu.busy - prev.cpu.busy) / (now.cpu.total - prev.cpu.total)) * 100)];
      }
      if (now.disk && prev.disk) {
        stats.disk_read = round((now.disk.read - prev.disk.read) / MB / seconds);
        stats.disk_write = round((now.disk.write - prev.disk.write) / MB / seconds);
      }
      if (now.net && prev.net) {
        stats.network_rx = round((now.net.rx - prev.net.rx) / MB / seconds);
        stats.network_tx = round((now.net.tx - prev.net.tx) / MB / seconds);
      }
    }
    const gpu = await queryGpuStats(this.opts.nvidiaSmi, this.opts.gpus);
    return gpu ? { ...stats, ...gpu } : stats;
  }
}
