#!/usr/bin/env node
":" //; if [ -n "$NODE_EXTRA_CA_CERTS" ]; then CAPSULE_DEFERRED_CA_CERTS=$NODE_EXTRA_CA_CERTS; export CAPSULE_DEFERRED_CA_CERTS; unset NODE_EXTRA_CA_CERTS; else unset CAPSULE_DEFERRED_CA_CERTS; fi; exec node "$0" "$@"
// The `capsule` CLI: a thin launcher for the bundled CLI in dist/.
// The line above is JavaScript (a string, then a comment) and also a shell command.
// An installed copy on POSIX runs this file with /bin/sh (scripts/postinstall.mjs makes
// the first line `#!/bin/sh`), and the shell starts node without NODE_EXTRA_CA_CERTS:
// Node 20 would otherwise build its whole root store before any code runs (~55-95 ms of
// a cold start). The CLI then adds those certificates to its HTTPS on first use
// (runtime/src/capabilities/extra-ca-certs.ts), so the trust is the same. The shipped
// first line stays `#!/usr/bin/env node`, which npm's Windows shims and any runner
// need; there node loads the variable itself, as before.
require('../dist/cli.js');
