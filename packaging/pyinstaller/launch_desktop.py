"""Entry of the frozen `myssl-desktop` (windowed): the same function as the installed script."""

import sys

from myssl_desktop.app import main

sys.exit(main())
