// Types of scripts/build-server.mjs for the TypeScript that imports it (bench/bench-child.ts, tests).
export declare const root: string;
export declare const serverOutDir: string;
export declare const serverEntry: string;
export declare const serverExecArgv: string[];
export declare function buildServer(options?: { entryPoints?: string[]; outdir?: string }): Promise<void>;
