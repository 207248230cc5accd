"""Fixtures of the test doubles (postpress_mock, postpress_server, postpress_error).

Heavy imports (respx, httpx) happen inside the fixtures, never at module import.
"""

from __future__ import annotations
