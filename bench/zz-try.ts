import { profileInto } from './bench-child';
import { runDrainBench } from './drain-bench';
profileInto(process.argv[2]);
const r = await runDrainBench(console.log);
const { handoff, ...rest } = r;
console.log(JSON.stringify(rest.known));
await handoff.child.stop(); await handoff.closeSim();
