import { BUILD } from '../app/build.ts';

export { BUILD };

export function versionLine(): string {
  return `authflow ${BUILD.version} (commit ${BUILD.commit}, node ${process.version})`;
}
