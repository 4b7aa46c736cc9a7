"""``python -m macros <command>``: the portal's commands on any system, without make or a POSIX shell
(Windows: ``portal.cmd <command>`` runs this with the project's Python). ``make`` is the Linux shorthand."""

import sys

from macros.adapters.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m macros"))
