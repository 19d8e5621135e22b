# Type stub for the mypy run on Home Assistant 2026.x only (scripts/test sets MYPYPATH to
# typings/latest). There, Home Assistant aliases ``voluptuous`` to probatio at import time
# (probatio.compat.install_as_voluptuous) and its own signatures use probatio's types, so for
# the type checker ``voluptuous`` is probatio, exactly as it is at run time.
from probatio import *
