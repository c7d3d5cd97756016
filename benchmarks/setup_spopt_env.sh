#!/bin/sh
# Create benchmarks/.venv-spopt with PySAL's spopt (PuLP + CBC) for mclp_ladder.py.
# spopt lives in its own environment so that the project never depends on it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv-spopt"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet spopt
"$venv/bin/python" -c "import spopt, pulp; print('spopt', spopt.__version__, 'pulp', pulp.__version__)"
