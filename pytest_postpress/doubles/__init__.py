"""Test doubles of the endpoint: the respx mock, the loopback HTTP server, and routes inside pytest-httpx and
responses, all sharing one request judge.

:class:`~pytest_postpress.doubles.mock.PostpressMock` (httpx clients, through respx),
:class:`~pytest_postpress.doubles.server.PostpressServer` (any client, over a real socket),
:class:`~pytest_postpress.doubles.httpx_mock.PostpressHttpxMock` (a callback of pytest-httpx's ``httpx_mock``) and
:class:`~pytest_postpress.doubles.responses_mock.PostpressResponses` (a route of a ``responses.RequestsMock``) are
thin transports around :class:`~pytest_postpress.doubles._state.MockState`, so all answer the same bytes.
Built on the contract modules only: nothing here imports the suite or the plugin.
"""
