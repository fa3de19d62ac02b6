"""`python -m mapreduce`."""

import sys

from mapreduce.cli import main

sys.exit(main())
