import { runDrainBench } from './drain-bench';
const r = await runDrainBench(console.log);
const { handoff, ...rest } = r;
console.log(JSON.stringify(rest, null, 2));
await handoff.child.stop(); await handoff.closeSim();
