"""Tests of the fake Playtomic server itself, over loopback sockets with a plain aiohttp client."""
