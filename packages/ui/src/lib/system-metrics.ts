/**
 * The prefix of the metrics MLflow's system-metrics logger writes (`mlflow.enable_system_metrics_logging()`,
 * `log_system_metrics=True`): `system/cpu_utilization_percentage`, `system/gpu_0_memory_usage_megabytes`,
 * `system/<node>/…` on several nodes.
 */
export const SYSTEM_METRIC_PREFIX = "system/";

/**
 * Whether a metric key is a system metric (CPU, memory, disk, network, GPU) rather than the model's.
 *
 * @example
 * isSystemMetric("system/cpu_utilization_percentage"); // true
 * isSystemMetric("val_loss"); // false
 */
export function isSystemMetric(key: string): boolean {
  return key.startsWith(SYSTEM_METRIC_PREFIX);
}

/**
 * Metric keys in two groups, each keeping the order it was given in: the model's and the system's.
 *
 * @example
 * splitSystemMetrics(["acc", "system/cpu_utilization_percentage"]); // { model: ["acc"], system: ["system/cpu_utilization_percentage"] }
 */
export function splitSystemMetrics(keys: readonly string[]): { model: string[]; system: string[] } {
  const model: string[] = [];
  const system: string[] = [];
  for (const key of keys) (isSystemMetric(key) ? system : model).push(key);
  return { model, system };
}
