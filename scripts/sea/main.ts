// Entry point of the single binary: the warning filter first, then the CLI.
import './warnings.ts';
import './cluster-argv.ts';
import '../../bin/authflow.ts';
