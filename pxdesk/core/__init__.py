"""Headless core of pxdesk: store, PX client, simulator, sync engine. Never imports widgets."""
