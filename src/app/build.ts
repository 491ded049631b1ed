declare const AUTHFLOW_BUILD: { version: string; commit: string; builtAt: number } | undefined;

/** Version facts; the build injects AUTHFLOW_BUILD, a source checkout reports "dev". */
export const BUILD = Object.freeze(
  typeof AUTHFLOW_BUILD === 'object' ? AUTHFLOW_BUILD : { version: '0.1.0', commit: 'dev', builtAt: 0 },
);
