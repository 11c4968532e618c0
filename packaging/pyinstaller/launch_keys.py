"""Entry of the frozen `myssl-keys` (console): the same function as the installed script, or,
given `--scan-helper` (scan/sharing.py's HELPER_FLAG), a scan's helper process, which the
bundle has no Python to start with `-m`. Checked first: the helper needs none of the command
line's imports."""

import sys

if sys.argv[1:2] == ["--scan-helper"]:
    from myssl_desktop.scan.helper import main as scan_helper

    sys.exit(scan_helper(sys.argv[2:]))

from myssl_desktop.cli import main

sys.exit(main())
