"""pxdesk: a desktop Gainsight PX connector."""

__version__ = "0.1.0"
APP_NAME = "pxdesk"
