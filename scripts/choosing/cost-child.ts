/**
 * One setting's decision costs, measured in a process of its own and
 * printed as JSON: `node --import tsx cost-child.ts <setting> <ms of CPU>`.
 *
 * Mirrors: nothing — a measuring helper
 * Read next: scripts/choosing/cost.ts (measureCost, who runs it)
 */
import { measureSetting, SETTINGS, type Setting } from './cost.ts';

const [setting, ms] = process.argv.slice(2) as [Setting, string];
if (!SETTINGS.includes(setting)) throw new Error(`unknown setting ${setting}`);
process.stdout.write(JSON.stringify(measureSetting(setting, Number(ms))));
