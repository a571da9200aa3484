"""litrev: evidence reviews for health and social care, offline and scriptable.

>>> import litrev
>>> litrev.__version__
'0.1.0'
"""

from litrev.errors import LitrevError, ProtocolError, StoreError

__version__ = "0.1.0"

__all__ = ["LitrevError", "ProtocolError", "StoreError", "__version__"]
