"""The team workspace: a web app over the same stage functions as the command line.

`create_app(workspace)` builds the FastAPI application; `Workspace.open(dirs)` loads the reviews it
serves and the store holding the accounts. `litrev serve` runs it with uvicorn.

>>> from litrev.web import Workspace, create_app  # doctest: +SKIP
"""

from __future__ import annotations

from litrev.web.app import create_app
from litrev.web.workspace import Review, Workspace

__all__ = ["Review", "Workspace", "create_app"]
