"""Infrastructure shared by the portal services (no domain code lives here)."""

import os
import sys

# `make run` starts the services from the development environment, where test tools bring
# `rich` and `pygments`; structlog and httpx import them whenever they are installed (over 10 MB
# in every process), and the services never use them (plain tracebacks, see logging.py). The
# runner sets this variable so a service process does not load them; production images do not
# have them installed at all.
if os.environ.get("PORTAL_SKIP_RICH") == "1":
    for _name in ("rich", "pygments"):
        sys.modules.setdefault(_name, None)  # type: ignore[arg-type]
