// Entry point of the single binary: the warning filter first, then the CLI.
import './warnings.ts';
import '../../bin/authflow.ts';
