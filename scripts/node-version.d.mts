export declare const REQUIRED_MAJOR: number;
export declare function nodeProblem(version: string): string | undefined;
