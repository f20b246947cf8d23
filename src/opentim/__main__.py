import sys

from opentim.cli import main

sys.exit(main())
