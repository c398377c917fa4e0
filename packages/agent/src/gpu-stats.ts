import { execFile } from 'node:child_process';

export interface GpuStats {
  gpu_usage: number[];
  gpu_temperature: number[];
  gpu_memory_used: number[];
  gpu_memory_free: number[];
}

const QUERY = ['--query-gpu=index,utilization.gpu,temperature.gpu,memory.used,memory.free', '--format=csv,noheader,nounits'];

/** Parses `nvidia-smi --query-gpu=index,utilization.gpu,temperature.gpu,memory.used,memory.free --format=csv,noheader,nounits`. */
export function parseNvidiaSmi(csv: string, only?: ReadonlySet<number>): GpuStats {
  const stats: GpuStats = { gpu_usage: [], gpu_temperature: [], gpu_memory_used: [], gpu_memory_free: [] };
  for (const line of csv.split('\n')) {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length < 5 || !/^\d+$/.test(cells[0]!)) continue;
    if (only && !only.has(Number(cells[0]))) continue;
    // "[N/A]" (e.g. temperature on some cards) reads as 0 rather than dropping the GPU.
    const num = (i: number) => (Number.isFinite(Number(cells[i])) ? Number(cells[i]) : 0);
    stats.gpu_usage.push(num(1));
    stats.gpu_temperature.push(num(2));
    stats.gpu_memory_used.push(num(3));
    stats.gpu_memory_free.push(num(4));
  }
  return stats;
}

/** GPU statistics from nvidia-smi, or undefined where there is no nvidia-smi or it fails. */
export function queryGpuStats(binary = 'nvidia-smi', only?: ReadonlySet<number>): Promise<GpuStats | undefined> {
  return new Promise((resolve) => {
    execFile(binary, QUERY, { timeout: 10_000 }, (err, stdout) => {
      if (err) return resolve(undefined);
      const stats = parseNvidiaSmi(stdout, only);
      resolve(stats.gpu_usage.length > 0 ? stats : undefined);
    });
  });
}
