"""`python -m mapreduce`."""

from mapreduce.cli.main import console_main

console_main()
