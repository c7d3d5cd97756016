"""Run the command line as ``python -m planning.cli``."""

from . import main

main(prog_name="infrasite")
