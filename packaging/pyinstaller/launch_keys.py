"""Entry of the frozen `myssl-keys` (console): the same function as the installed script."""

import sys

from myssl_desktop.cli import main

sys.exit(main())
