"""Test doubles of the endpoint: the respx mock and the loopback HTTP server, sharing one request judge.

:class:`~pytest_postpress.doubles.mock.PostpressMock` (httpx clients, through respx) and
:class:`~pytest_postpress.doubles.server.PostpressServer` (any client, over a real socket) are thin
transports around :class:`~pytest_postpress.doubles._state.MockState`, so both answer the same bytes.
Built on the contract modules only: nothing here imports the suite or the plugin.
"""
